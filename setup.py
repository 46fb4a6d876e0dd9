from setuptools import find_packages, setup

setup(
    name="orbit-pg",
    version="0.1.0",
    description="A PostgreSQL wire-protocol server for actor state kept in LMDB, on Twisted.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    # twisted.plugins is a namespace shared with Twisted: ship our plugin file in it, no __init__.py.
    packages=find_packages(include=["orbit_pg", "orbit_pg.*"]) + ["twisted.plugins"],
    install_requires=[
        "Twisted>=23.10",
        "pyparsing>=3.1",
        "ujson>=5",
        "lmdb>=1.4",
        "pyOpenSSL>=24",
        "service_identity>=24",
        "cryptography>=42",
    ],
    entry_points={"console_scripts": ["orbitpg-admin = orbit_pg.admin:main"]},
    extras_require={
        "test": [
            "pytest>=7",
            "pytest-twisted>=1.14",
            "psycopg[binary]>=3.1",
            "pg8000>=1.30",
            "asyncpg>=0.29",
            "psycopg-pool>=3.2",
            "hypothesis>=6.100",
            "sqlalchemy>=2",
            "alembic>=1.12",
            "pgcli>=4",
        ],
    },
    classifiers=["Framework :: Twisted", "Topic :: Database :: Database Engines/Servers"],
)
