-- Role statements and their errors, as the bootstrap superuser; every role made here is dropped at the end.
CREATE ROLE auth_cmp_reader LOGIN PASSWORD 'reader-pw'
CREATE ROLE auth_cmp_reader
CREATE USER auth_cmp_writer WITH NOLOGIN PASSWORD NULL
CREATE ROLE auth_cmp_boss WITH SUPERUSER LOGIN CREATEDB INHERIT
ALTER ROLE auth_cmp_writer WITH LOGIN PASSWORD 'writer-pw'
ALTER USER auth_cmp_writer NOSUPERUSER
ALTER ROLE auth_cmp_nobody PASSWORD 'x'
CREATE ROLE pg_auth_cmp
GRANT SELECT ON actors TO auth_cmp_reader
GRANT SELECT, INSERT, UPDATE ON TABLE public.actors TO auth_cmp_writer, auth_cmp_reader
GRANT ALL PRIVILEGES ON actors TO auth_cmp_writer
GRANT SELECT ON nosuch TO auth_cmp_reader
GRANT SELECT ON actors TO auth_cmp_nobody
REVOKE INSERT, UPDATE ON actors FROM auth_cmp_reader
DROP ROLE auth_cmp_reader
REVOKE ALL ON actors FROM auth_cmp_reader, auth_cmp_writer
DROP ROLE auth_cmp_nobody
DROP ROLE IF EXISTS auth_cmp_nobody, auth_cmp_reader
DROP USER auth_cmp_writer, auth_cmp_boss
DROP ROLE auth_cmp_writer
GRANT SELEC ON actors TO x
CREATE ROLE
