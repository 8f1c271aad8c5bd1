"""`python -m reviewer` entry point."""

from reviewer.cli import main

if __name__ == "__main__":
    main()
