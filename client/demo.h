/* lumen demo: what `make demo` does, for an installed binary.
 *
 * A private PostgreSQL cluster in DIR ($XDG_DATA_HOME/lumen/demo, else
 * ~/.local/share/lumen/demo, or --dir), on a Unix socket only, with trust
 * for that socket (mode 0700: the caller's alone); the migrations and the
 * demo data built into the binary; DIR/lumen.conf (0600) pointing the
 * client at it.  It prints the demo sign-ins, then, on a terminal, asks for
 * Enter and hands the config back for the TUI; without a terminal it stops
 * there (the way tests and scripts use it).
 *
 * Everything is idempotent: a running cluster is reused, applied
 * migrations and loaded demo data are left as they are (demo data changed
 * since is loaded again, as scripts/demo-db.sh does).  --stop stops the
 * cluster; --reset deletes it first (with --stop: deletes it, and that is
 * all).
 *
 * As root: initdb and pg_ctl refuse to run as root, so the cluster runs as
 * the user postgres (which Debian's postgresql package creates), as
 * scripts/pgcluster.sh does; when postgres cannot enter DIR (under /root)
 * the cluster's files live in /var/tmp/lumen-postgres-KEY and DIR/pg links
 * to them.  DIR itself, and the config in it, stay the caller's.           */
#ifndef LUMEN_CLIENT_DEMO_H
#define LUMEN_CLIENT_DEMO_H

extern const char demo_help[];

/* Runs `lumen demo ARGS` (argv[0] is "demo").  Returns the exit status;
 * when it is 0 and *tui_config is set (caller frees), open the TUI with
 * that config. */
int demo_main(int argc, char **argv, char **tui_config);

#endif
