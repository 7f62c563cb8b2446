"""``python -m hub``: the command line (hub/cli)."""

from hub.cli import main

if __name__ == "__main__":
    main()
