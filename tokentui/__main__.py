"""``python -m tokentui``: the same entry point as the ``tokentui`` script."""

from tokentui.cli import main

if __name__ == "__main__":
    main()
