-- A fixture whose SQL the server rejects (no such table): the kit tests check that the
-- error names this file and that the fixtures loaded before it in the same call are undone.
INSERT INTO no_such_table (id) VALUES (1);
