"""`python -m patchbay_cli`, the same as the installed `patchbay` command."""

from patchbay_cli.main import main

raise SystemExit(main())
