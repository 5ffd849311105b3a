"""A store file whose rows a test writes with sqlite3 behind the library's back (for areas that
do not own the API of the tables they read: customers and interactions)."""
import os
import sqlite3
import tempfile
import unittest

import crmkit


class SeededStoreTest(unittest.TestCase):
    """setUp makes a new store file (self.path, in self.tmp), lets seed(con) write its rows with
    sqlite3, and opens self.db on it; tearDown closes and removes it."""

    file_name = "store.db"

    def seed(self, con):
        raise NotImplementedError

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, self.file_name)
        crmkit.Database(self.path).close()  # creates the schema
        con = sqlite3.connect(self.path)
        self.seed(con)
        con.commit()
        con.close()
        self.db = crmkit.Database(self.path)

    def tearDown(self):
        self.db.close()
        self.tmp.cleanup()
