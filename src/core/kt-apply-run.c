/* kt-apply-run.c: run an apply: the live calls, the define, the rollback
 *
 * kt_apply_run () looks up the VM, refuses while an earlier apply to it
 * is still to be recovered or when someone else changed it, writes the
 * journal, makes the live calls in order, then defines the config.  A
 * failed step has the live calls already made undone (rollback), nothing
 * defined; a lost connection leaves the journal, with an account of which
 * steps landed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <errno.h>

#include "kt-apply-private.h"
#include "kt-error.h"

static unsigned char *
cpumap_of (const Ctx      *ctx,
           const KtCpuset *set)
{
  unsigned char *map;

  if (set == NULL)
    return g_memdup2 (ctx->all_map, ctx->maplen);
  map = g_malloc0 (ctx->maplen);
  for (int c = kt_cpuset_first (set); c >= 0 && c < ctx->n_cpus; c = kt_cpuset_next (set, c))
    VIR_USE_CPU (map, c);
  return map;
}

static int
run_step (const Ctx  *ctx,
          const Step *s,
          gboolean    undo)
{
  const KtCpuset *set = undo ? s->before : s->after;
  g_autofree unsigned char *map = NULL;

  switch (s->kind)
    {
    case STEP_VCPUPIN:
      map = cpumap_of (ctx, set);
      return virDomainPinVcpuFlags (ctx->dom, s->id, map, ctx->maplen, VIR_DOMAIN_AFFECT_LIVE);
    case STEP_EMULATORPIN:
      map = cpumap_of (ctx, set);
      return virDomainPinEmulator (ctx->dom, map, ctx->maplen, VIR_DOMAIN_AFFECT_LIVE);
    case STEP_IOTHREADPIN:
      map = cpumap_of (ctx, set);
      return virDomainPinIOThread (ctx->dom, s->id, map, ctx->maplen, VIR_DOMAIN_AFFECT_LIVE);
    case STEP_NUMA_NODESET:
    default:
      {
        g_autofree char *text = NULL;
        virTypedParameterPtr params = NULL;
        int nparams = 0, maxparams = 0, ret;

        if (set == NULL)
          return 0;   /* nothing to go back to */
        text = kt_cpuset_format (set);
        if (virTypedParamsAddString (&params, &nparams, &maxparams, VIR_DOMAIN_NUMA_NODESET,
                                     text) < 0)
          return -1;
        ret = virDomainSetNumaParameters (ctx->dom, params, nparams, VIR_DOMAIN_AFFECT_LIVE);
        virTypedParamsFree (params, nparams);
        return ret;
      }
    }
}

static gboolean
connection_lost (const Ctx *ctx)
{
  return virConnectIsAlive (ctx->conn) != 1;
}

/* After a failed call on a lost connection: whether the request never
 * left (the write failed: the daemon was gone already) */
static gboolean
request_not_sent (void)
{
  virErrorPtr err = virGetLastError ();

  return err != NULL && err->code == VIR_ERR_SYSTEM_ERROR && err->int1 == EPIPE;
}

/* Undoes the first @done steps; FALSE when one could not be undone, and
 * *@lost when that is because the connection went away */
static gboolean
rollback (KtApply   *self,
          const Ctx *ctx,
          guint      done,
          gboolean  *lost)
{
  gboolean ok = TRUE;

  *lost = FALSE;
  for (guint i = done; i > 0; i--)
    if (run_step (ctx, &g_array_index (self->steps, Step, i - 1), TRUE) < 0)
      {
        g_autofree char *what =
          kt_apply_priv_describe_step (self, &g_array_index (self->steps, Step, i - 1), TRUE);

        ok = FALSE;
        if (connection_lost (ctx))
          {
            /* Nothing more gets through: the journal keeps the rest */
            *lost = TRUE;
            virResetLastError ();
            return FALSE;
          }
        g_warning ("Could not undo “%s”: %s", what, virGetLastErrorMessage ());
        virResetLastError ();
      }
  return ok;
}

static void
test_hook (KtApply    *self,
           const char *point)
{
  if (self->hook != NULL)
    self->hook (point, self->hook_data);
}

/**
 * kt_apply_run:
 *
 * Makes the live calls, then defines the config.  On failure the live
 * calls already made are reverted, nothing is defined, and @error says
 * which step failed.
 *
 * Before the first live call it writes a journal (kt-journal.h), removed
 * when the apply completes or is rolled back.  When the connection is
 * lost midway, nothing can be reverted: the error (%KT_ERROR_INTERRUPTED)
 * says which steps landed and which did not, and the journal stays for
 * kt_apply_new_recovery ().  An apply to a VM with such a journal is
 * refused until it is recovered.
 *
 * A config changed by someone else between the last check and the define
 * is overwritten (libvirt has no compare-and-swap); the check is made
 * again just before the define, and what was defined is read back: a
 * difference is reported as %KT_ERROR_CONFLICT, the live steps kept.
 */
gboolean
kt_apply_run (KtApply       *self,
              KtConnection  *connection,
              GError       **error)
{
  Ctx ctx = { 0, };
  const char *name, *uri;
  char uuid[VIR_UUID_STRING_BUFLEN];
  g_autoptr(KtJournal) journal = NULL;
  gboolean ok = FALSE, lost;
  guint done = 0;

  g_return_val_if_fail (KT_IS_APPLY (self), FALSE);
  g_return_val_if_fail (KT_IS_CONNECTION (connection), FALSE);

  name = kt_vm_get_name (self->vm);
  uri = kt_connection_get_uri (connection);
  if (kt_apply_is_empty (self))
    {
      if (self->recovering != NULL && !kt_journal_remove (self->recovering, error))
        return FALSE;
      return TRUE;
    }
  if (kt_connection_is_read_only (connection))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_READ_ONLY,
                   _("The connection to %s is read-only: nothing can be applied"), uri);
      return FALSE;
    }

  ctx.conn = kt_connection_get_handle (connection);
  ctx.dom = virDomainLookupByName (ctx.conn, name);
  if (ctx.dom == NULL)
    {
      if (virGetLastErrorCode () == VIR_ERR_NO_DOMAIN)
        {
          virResetLastError ();
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                       _("VM “%s” no longer exists. Nothing was applied."), name);
        }
      else
        kt_set_libvirt_error (error, _("Cannot find VM “%s”"), name);
      return FALSE;
    }
  if (virDomainGetUUIDString (ctx.dom, uuid) < 0)
    {
      kt_set_libvirt_error (error, _("Cannot read the UUID of “%s”"), name);
      goto out;
    }

  /* An apply that was cut short comes first */
  if (self->recovering == NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(KtJournal) pending = kt_journal_lookup (uri, uuid, &local);

      if (local != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                      _("Nothing was applied: "));
          goto out;
        }
      if (pending != NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                       _("An earlier apply to “%s” on %s was interrupted (started %s; journal "
                         "%s): finish it or roll it back first. Nothing was applied."),
                       name, uri, kt_journal_get_started (pending),
                       kt_journal_get_path (pending));
          goto out;
        }
    }

  if (!kt_apply_priv_check_unchanged (self, &ctx, error))
    goto out;

  if (self->steps->len > 0)
    {
      ctx.n_cpus = virNodeGetCPUMap (ctx.conn, &ctx.all_map, NULL, 0);
      if (ctx.n_cpus < 0)
        {
          kt_set_libvirt_error (error, _("Cannot read the host's CPUs"));
          goto out;
        }
      ctx.maplen = VIR_CPU_MAPLEN (ctx.n_cpus);

      /* The intent, on disk before the first live step */
      if (self->recovering != NULL)
        journal = g_object_ref (self->recovering);
      else
        {
          journal = kt_apply_make_journal (self, uri, uuid);
          if (!kt_journal_save (journal, error))
            {
              g_clear_object (&journal);
              g_prefix_error (error, _("Nothing was applied: "));
              goto out;
            }
        }
    }

  for (done = 0; done < self->steps->len; done++)
    {
      const Step *s = &g_array_index (self->steps, Step, done);
      gboolean sent;

      if (done > 0)
        kt_apply_test_pause (done);
      sent = !connection_lost (&ctx);
      if (run_step (&ctx, s, FALSE) < 0)
        {
          g_autofree char *what = kt_apply_priv_describe_step (self, s, FALSE);

          sent = sent && !request_not_sent ();
          kt_set_libvirt_error (error, _("%s failed"), what);
          if (connection_lost (&ctx))
            {
              kt_apply_set_interrupted (self, journal, uri, done, sent, FALSE, error);
              goto out;
            }
          if (!rollback (self, &ctx, done, &lost) && lost)
            {
              kt_apply_set_interrupted (self, journal, uri, done, FALSE, FALSE, error);
              g_prefix_error (error, _("%s failed, and while its earlier steps were undone: "),
                              what);
              goto out;
            }
          kt_apply_forget_journal_on_failure (self, journal);
          g_prefix_error (error, done > 0 ? _("Nothing was changed: the earlier live steps "
                                              "were undone. ")
                                          : _("Nothing was changed. "));
          goto out;
        }
    }
  if (done > 0)
    kt_apply_test_pause (done);

  if (self->define_xml != NULL)
    {
      virDomainPtr defined;
      gboolean sent;

      /* As late as libvirt allows: it has no compare-and-swap for a define */
      test_hook (self, "before-define-check");
      if (!kt_apply_priv_check_config_unchanged (self, &ctx, self->steps->len > 0, error))
        {
          if (!rollback (self, &ctx, done, &lost) && lost)
            {
              kt_apply_set_interrupted (self, journal, uri, done, FALSE, FALSE, error);
              goto out;
            }
          kt_apply_forget_journal_on_failure (self, journal);
          goto out;
        }
      sent = !connection_lost (&ctx);
      defined = virDomainDefineXMLFlags (ctx.conn, self->define_xml, VIR_DOMAIN_DEFINE_VALIDATE);
      if (defined == NULL)
        {
          sent = sent && !request_not_sent ();
          kt_set_libvirt_error (error, _("Defining the new config of “%s” failed"), name);
          if (journal != NULL && connection_lost (&ctx))
            {
              kt_apply_set_interrupted (self, journal, uri, done, sent, TRUE, error);
              goto out;
            }
          if (!rollback (self, &ctx, done, &lost) && lost)
            {
              kt_apply_set_interrupted (self, journal, uri, done, FALSE, FALSE, error);
              goto out;
            }
          kt_apply_forget_journal_on_failure (self, journal);
          g_prefix_error (error, _("Nothing was changed. "));
          goto out;
        }
      test_hook (self, "after-define");
      if (!kt_apply_priv_check_defined (self, defined, error))
        {
          virDomainFree (defined);
          kt_apply_forget_journal_on_failure (self, journal);
          goto out;
        }
      virDomainFree (defined);
    }
  ok = TRUE;
  if (journal != NULL)
    kt_apply_forget_journal (journal);
  else if (self->recovering != NULL)
    kt_apply_forget_journal (self->recovering);

out:
  free (ctx.all_map);
  virDomainFree (ctx.dom);
  return ok;
}
