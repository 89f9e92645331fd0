"""``python -m convcalc`` runs the command-line interface."""

from convcalc.cli import main

if __name__ == "__main__":
    main()
