"""The ``hexie`` command: Hexie's own commands (up, units, seed, audit, regions, demo) and
every Django management command, through one entry point."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hexie.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["hexie", *(args or ["help"])])


if __name__ == "__main__":
    main()
