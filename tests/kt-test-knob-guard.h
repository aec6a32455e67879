/* kt-test-knob-guard.h: saves real kernel knobs before a test changes
 * them and puts them back at exit, on SIGABRT/SIGINT/SIGTERM/SIGSEGV and
 * from a fixture's teardown
 *
 * Values are read here with plain code of their own (bracketed word for
 * the THP files, else the trimmed contents), independent of the core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The current value of a kernel file: "[word]" → word, else trimmed
 * contents; NULL when it cannot be read. */
char     *kt_test_knob_read_raw        (const char *path);

/* Writes @value + "\n" to @path; TRUE on success */
gboolean  kt_test_knob_write_raw       (const char *path,
                                        const char *value);

/* Records @path's current value (once per path) and installs the
 * atexit and signal handlers on first use.  Aborts the test when the
 * file cannot be read. */
void      kt_test_knob_guard_save      (const char *path);

/* Writes back every saved value that differs from the current one */
void      kt_test_knob_guard_restore   (void);

/* NULL when every saved knob holds its saved value again, else a
 * description of the first that does not (free with g_free). */
char     *kt_test_knob_guard_check     (void);

G_END_DECLS
