"""``orbitpg-admin``: manage roles in a data directory from the command line, which is how
the first superuser comes to exist (``orbitpg-admin -d DIR add-user NAME --superuser``).

It may run while the server runs (LMDB allows several processes; the server reads the roles
again for each new connection)."""

from __future__ import annotations

import argparse
import getpass
import sys

from orbit_pg.auth.passwords import store_password
from orbit_pg.auth.roles import CATALOG_NAME, Role, Roles
from orbit_pg.storage.lmdb_store import ActorStore


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Enter password for new role {args.name}: ")
    if getpass.getpass("Enter it again: ") != first:
        raise SystemExit("Passwords didn't match.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="orbitpg-admin", description=__doc__)
    parser.add_argument("-d", "--data-dir", default="./orbitpg-data", help="the server's --data-dir")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="create a login role, prompting for its password")
    add.add_argument("name")
    add.add_argument("--superuser", action="store_true", help="may manage roles and do anything")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    password = commands.add_parser("password", help="set a role's password, prompting for it")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    drop = commands.add_parser("drop-user", help="remove a role")
    drop.add_argument("name")
    commands.add_parser("list-users", help="the roles and their attributes")
    args = parser.parse_args(argv)

    store = ActorStore(args.data_dir)
    try:
        roles = Roles(store.catalog(CATALOG_NAME))
        if args.command == "add-user":
            if roles.get(args.name) is not None:
                raise SystemExit(f'role "{args.name}" already exists')
            stored = store_password(_password(args), args.name)
            roles.create(Role(args.name, superuser=args.superuser, login=True, password=stored))
        elif args.command == "password":
            if roles.get(args.name) is None:
                raise SystemExit(f'role "{args.name}" does not exist')
            roles.update(args.name, password=store_password(_password(args), args.name))
        elif args.command == "drop-user":
            if roles.get(args.name) is None:
                raise SystemExit(f'role "{args.name}" does not exist')
            roles.drop(args.name)
        else:
            for role in roles:
                attributes = [a for a, on in (("superuser", role.superuser), ("login", role.login)) if on]
                privileges = ",".join(sorted(role.table_privileges)) or "-"
                print(f"{role.name}\t{' '.join(attributes) or '-'}\tactors: {privileges}")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
