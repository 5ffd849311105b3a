// A VFS shim over the default unix VFS that fails xWrite / xSync / xTruncate after N calls,
// to prove that an I/O error in the middle of a mutation gives an error and no partial change.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace reliability::fault {

inline sqlite3_vfs* g_real = nullptr;
inline sqlite3_vfs g_vfs;
inline sqlite3_io_methods g_methods;
inline std::atomic<long> g_countdown{-1};  // -1: disarmed; otherwise calls left before failing
inline std::atomic<bool> g_sticky{true};    // once tripped, keep failing (disk full) or fail once
inline std::atomic<bool> g_tripped{false};
inline std::atomic<long> g_calls{0};        // write/sync/truncate calls seen while armed

struct File {
  sqlite3_file base;
  sqlite3_file* real;
};

inline sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

// True when this call must fail.
inline bool trip() {
  long left = g_countdown.load();
  if (left < 0) return false;
  ++g_calls;
  if (g_tripped.load()) return g_sticky.load();
  if (left == 0) {
    g_tripped = true;
    return true;
  }
  g_countdown = left - 1;
  return false;
}

inline int x_close(sqlite3_file* f) { return real_of(f)->pMethods->xClose(real_of(f)); }
inline int x_read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return real_of(f)->pMethods->xRead(real_of(f), b, n, o); }
inline int x_write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
  if (trip()) return SQLITE_IOERR_WRITE;
  return real_of(f)->pMethods->xWrite(real_of(f), b, n, o);
}
inline int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (trip()) return SQLITE_IOERR_TRUNCATE;
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
inline int x_sync(sqlite3_file* f, int flags) {
  if (trip()) return SQLITE_IOERR_FSYNC;
  return real_of(f)->pMethods->xSync(real_of(f), flags);
}
inline int x_file_size(sqlite3_file* f, sqlite3_int64* s) { return real_of(f)->pMethods->xFileSize(real_of(f), s); }
inline int x_lock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
inline int x_unlock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
inline int x_check_reserved(sqlite3_file* f, int* r) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), r); }
inline int x_file_control(sqlite3_file* f, int op, void* a) { return real_of(f)->pMethods->xFileControl(real_of(f), op, a); }
inline int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
inline int x_device(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
inline int x_shm_map(sqlite3_file* f, int pg, int sz, int ext, void volatile** p) {
  return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, ext, p);
}
inline int x_shm_lock(sqlite3_file* f, int o, int n, int fl) { return real_of(f)->pMethods->xShmLock(real_of(f), o, n, fl); }
inline void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
inline int x_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
inline int x_fetch(sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return real_of(f)->pMethods->xFetch(real_of(f), o, n, p); }
inline int x_unfetch(sqlite3_file* f, sqlite3_int64 o, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), o, p); }

inline int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* ff = reinterpret_cast<File*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  ff->base.pMethods = nullptr;
  int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
  if (ff->real->pMethods) ff->base.pMethods = &g_methods;
  return rc;
}

// Registers the shim as the default VFS (Store::open uses the default).
inline void install() {
  if (!g_real) {
    g_real = sqlite3_vfs_find(nullptr);
    g_vfs = *g_real;  // the unix functions only read pAppData, which is copied too
    g_vfs.zName = "crmkit_fault";
    g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_real->szOsFile;
    g_vfs.xOpen = x_open;
    g_vfs.pNext = nullptr;
    std::memset(&g_methods, 0, sizeof g_methods);
    g_methods.iVersion = 3;
    g_methods.xClose = x_close;
    g_methods.xRead = x_read;
    g_methods.xWrite = x_write;
    g_methods.xTruncate = x_truncate;
    g_methods.xSync = x_sync;
    g_methods.xFileSize = x_file_size;
    g_methods.xLock = x_lock;
    g_methods.xUnlock = x_unlock;
    g_methods.xCheckReservedLock = x_check_reserved;
    g_methods.xFileControl = x_file_control;
    g_methods.xSectorSize = x_sector_size;
    g_methods.xDeviceCharacteristics = x_device;
    g_methods.xShmMap = x_shm_map;
    g_methods.xShmLock = x_shm_lock;
    g_methods.xShmBarrier = x_shm_barrier;
    g_methods.xShmUnmap = x_shm_unmap;
    g_methods.xFetch = x_fetch;
    g_methods.xUnfetch = x_unfetch;
  }
  sqlite3_vfs_register(&g_vfs, 1);
}

inline void uninstall() {
  g_countdown = -1;
  sqlite3_vfs_unregister(&g_vfs);
  sqlite3_vfs_register(g_real, 1);
}

inline void arm(long after_calls, bool sticky) {
  g_tripped = false;
  g_calls = 0;
  g_sticky = sticky;
  g_countdown = after_calls;
}
inline void disarm() { g_countdown = -1; }

}  // namespace reliability::fault
