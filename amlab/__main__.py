from amlab.cli import main

raise SystemExit(main())
