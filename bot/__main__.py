"""`python -m bot` is the same as the `libao` console script."""

from bot.cli.main import main

raise SystemExit(main())
