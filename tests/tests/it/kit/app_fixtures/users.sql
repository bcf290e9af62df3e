-- An application's own fixture folder (not tests/fixtures): loaded by the kit tests with
-- TestDatabase::load_fixtures_from.
INSERT INTO users (id, uuid, email, created_at, updated_at) VALUES
    (40, 'a9911ca7-0000-4000-8000-000000000040', 'app-owner@example.com',
        '2025-03-01 12:00:00', '2025-03-01 12:00:00');

SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
