/* import.h — `sanzhid import orgs FILE.csv [--strict] [--threads N]`: bulk import of organizations
 * registered before this system (SPEC Appendix A). */
#ifndef SANZHI_IMPORT_H
#define SANZHI_IMPORT_H

/* argv are the arguments after "import orgs". The database must be configured (setup_db). Exit
 * code: 0 every row imported, 1 some row skipped (or --strict stopped), 2 usage, I/O or database
 * error. */
int cli_import_orgs(int argc, char **argv);

#endif
