"""``python -m amlab``: the command line (:func:`amlab.cli.main`)."""

from amlab.cli import main

if __name__ == "__main__":  # importing the module (the API reference does) runs nothing
    raise SystemExit(main())
