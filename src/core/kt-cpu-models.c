/* kt-cpu-models.c: the CPU models a hypervisor offers, from its domain
 * capabilities
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-cpu-models.h"
#include "kt-error.h"
#include "kt-xml.h"

void
kt_cpu_model_free (KtCpuModel *model)
{
  if (model == NULL)
    return;
  g_free (model->name);
  g_free (model->blockers);
  g_free (model);
}

/* <domainCapabilities><cpu><mode name=@name> */
static xmlNode *
find_mode (xmlDoc     *doc,
           const char *name)
{
  xmlNode *cpu = kt_xml_child (xmlDocGetRootElement (doc), "cpu");

  for (xmlNode *mode = kt_xml_child (cpu, "mode"); mode != NULL;
       mode = kt_xml_next_named (mode->next, "mode"))
    {
      g_autofree char *n = kt_xml_prop (mode, "name");

      if (g_strcmp0 (n, name) == 0)
        return mode;
    }
  return NULL;
}

static xmlDoc *
parse_domcaps (const char *domcaps_xml)
{
  g_autoptr(GError) error = NULL;
  xmlDoc *doc;

  if (domcaps_xml == NULL)
    return NULL;
  doc = kt_xml_parse (domcaps_xml, -1, _("domain capabilities XML"), NULL, &error);
  if (doc == NULL)
    g_debug ("No CPU models: %s", error->message);
  return doc;
}

/**
 * kt_cpu_models_parse:
 *
 * <cpu><mode name='custom'><model usable='yes|no'>NAME</model> and, from
 * libvirt 9.x, <blockers model='NAME'><feature name='…'/></blockers>.
 *
 * Returns: (transfer full) (element-type KtCpuModel):
 */
GPtrArray *
kt_cpu_models_parse (const char *domcaps_xml)
{
  GPtrArray *models = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_cpu_model_free);
  g_autoptr(xmlDoc) doc = parse_domcaps (domcaps_xml);
  g_autoptr(GHashTable) blockers = NULL;
  xmlNode *mode;

  if (doc == NULL || (mode = find_mode (doc, "custom")) == NULL)
    return models;

  blockers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (xmlNode *b = kt_xml_child (mode, "blockers"); b != NULL;
       b = kt_xml_next_named (b->next, "blockers"))
    {
      g_autofree char *model = kt_xml_prop (b, "model");
      g_autoptr(GString) list = g_string_new (NULL);

      if (model == NULL)
        continue;
      for (xmlNode *f = kt_xml_child (b, "feature"); f != NULL;
           f = kt_xml_next_named (f->next, "feature"))
        {
          g_autofree char *feature = kt_xml_prop (f, "name");

          if (feature != NULL)
            g_string_append_printf (list, "%s%s", list->len ? ", " : "", feature);
        }
      g_hash_table_replace (blockers, g_steal_pointer (&model),
                            g_string_free (g_steal_pointer (&list), FALSE));
    }

  for (xmlNode *m = kt_xml_child (mode, "model"); m != NULL;
       m = kt_xml_next_named (m->next, "model"))
    {
      g_autofree char *usable = kt_xml_prop (m, "usable");
      g_autoptr(KtCpuModel) model = g_new0 (KtCpuModel, 1);
      const char *b;

      model->name = kt_xml_text (m);
      if (model->name == NULL || *model->name == '\0')
        continue;
      model->usable = g_strcmp0 (usable, "no") != 0;
      b = g_hash_table_lookup (blockers, model->name);
      model->blockers = b != NULL && *b != '\0' ? g_strdup (b) : NULL;
      g_ptr_array_add (models, g_steal_pointer (&model));
    }
  return models;
}

char *
kt_cpu_models_host_model (const char *domcaps_xml)
{
  g_autoptr(xmlDoc) doc = parse_domcaps (domcaps_xml);
  g_autofree char *supported = NULL;
  g_autofree char *name = NULL;
  xmlNode *mode;

  if (doc == NULL || (mode = find_mode (doc, "host-model")) == NULL)
    return NULL;
  supported = kt_xml_prop (mode, "supported");
  if (g_strcmp0 (supported, "no") == 0)
    return NULL;
  name = kt_xml_text (kt_xml_child (mode, "model"));
  return name != NULL && *name != '\0' ? g_steal_pointer (&name) : NULL;
}

const KtCpuModel *
kt_cpu_models_lookup (GPtrArray  *models,
                      const char *name)
{
  g_return_val_if_fail (models != NULL, NULL);

  for (guint i = 0; name != NULL && i < models->len; i++)
    {
      const KtCpuModel *m = g_ptr_array_index (models, i);

      if (g_str_equal (m->name, name))
        return m;
    }
  return NULL;
}

const char *
kt_cpu_models_suggest (GPtrArray  *models,
                       const char *host_model)
{
  /* QEMU's own default CPU for x86-64 guests: generic, runs anywhere */
  const char *candidates[] = { host_model, "qemu64" };

  g_return_val_if_fail (models != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      const KtCpuModel *m = kt_cpu_models_lookup (models, candidates[i]);

      if (m != NULL && m->usable)
        return m->name;
    }
  for (guint i = 0; i < models->len; i++)
    {
      const KtCpuModel *m = g_ptr_array_index (models, i);

      if (m->usable)
        return m->name;
    }
  return NULL;
}

gboolean
kt_cpu_models_check_usable (GPtrArray   *models,
                            const char  *name,
                            GError     **error)
{
  const KtCpuModel *m;

  g_return_val_if_fail (models != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (models->len == 0)
    return TRUE;
  m = kt_cpu_models_lookup (models, name);
  if (m == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("The hypervisor offers no CPU model “%s”"), name);
      return FALSE;
    }
  if (!m->usable)
    {
      if (m->blockers != NULL)
        g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                     _("CPU model %s cannot run on this host; it lacks: %s"), name, m->blockers);
      else
        g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                     _("CPU model %s cannot run on this host (the domain capabilities mark it "
                       "usable='no' and name no blockers)"), name);
      return FALSE;
    }
  return TRUE;
}
