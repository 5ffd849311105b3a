# Writes a C++ file holding every src/schema/NNNN_name.sql as a string, in order, as migrations(),
# and every src/schema/postgresql/NNNN_name.sql as postgres_migrations(). The two folders must
# hold the same numbers and names (one migration, written once per dialect).
# Called at build time:
#   cmake -DOUT=file.cpp -DFILES="a.sql;b.sql" -DPG_FILES="pg/a.sql;pg/b.sql" -P embed_migrations.cmake
set(names "")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  list(APPEND names ${name})
endforeach()
set(pg_names "")
foreach(f ${PG_FILES})
  get_filename_component(name ${f} NAME_WE)
  list(APPEND pg_names ${name})
endforeach()
if(NOT names STREQUAL pg_names)
  message(FATAL_ERROR "src/schema and src/schema/postgresql must hold the same migrations (numbers and "
                      "names).\n  SQLite:     ${names}\n  PostgreSQL: ${pg_names}")
endif()

set(body "// Generated from src/schema/*.sql and src/schema/postgresql/*.sql by cmake/embed_migrations.cmake. Do not edit.\n")
string(APPEND body "#include \"store/migrations.hpp\"\n\nnamespace crmkit::detail {\n")

# Appends to `body` the function `fn` returning the migrations in `files`.
function(embed_list fn files)
  set(text "\nconst std::vector<Migration>& ${fn}() {\n  static const std::vector<Migration> all = {\n")
  set(previous 0)
  foreach(f ${files})
    get_filename_component(name ${f} NAME_WE)
    string(SUBSTRING ${name} 0 4 num)
    math(EXPR version "${num}")
    if(NOT version GREATER previous)
      message(FATAL_ERROR "migration ${f}: numbers must be unique and increasing")
    endif()
    set(previous ${version})
    file(READ ${f} sql)
    string(FIND "${sql}" ")crmkit_sql\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "migration ${f} contains the raw-string delimiter )crmkit_sql\"")
    endif()
    string(APPEND text "    {${version}, \"${name}\", R\"crmkit_sql(${sql})crmkit_sql\"},\n")
  endforeach()
  string(APPEND text "  };\n  return all;\n}\n")
  set(body "${body}${text}" PARENT_SCOPE)
endfunction()

embed_list(migrations "${FILES}")
embed_list(postgres_migrations "${PG_FILES}")
string(APPEND body "\n}  // namespace crmkit::detail\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
