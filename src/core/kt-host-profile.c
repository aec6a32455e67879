/* kt-host-profile.c: named sets of host tuning targets
 *
 * The KtHostProfile type, where profiles live (the shipped directory and
 * the user's), loading and checking a profile's JSON file or every
 * profile at once, and making a user profile of a host's current values
 * and saving it.  What a profile sets on one host is in
 * kt-host-profile-targets.c, the sentences explaining a setting in
 * kt-host-profile-explain.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-host-profile.h"

#define MAX_PROFILE_SIZE (256 * 1024)
#define MAX_SETTINGS     256

/* The shipped profiles' texts, for xgettext: the JSON files hold the same
 * English strings and they are translated when loaded */
static const char * const shipped_texts[] G_GNUC_UNUSED = {
  N_("Virtualization host"),
  N_("tuned's virtual-host profile, and KSM sharing memory between VMs within each NUMA node."),
  N_("Pinned / low latency"),
  N_("No KSM, no automatic NUMA balancing, transparent hugepages only on request, and hugepage pools sized to the VMs that use them."),
  N_("Density"),
  N_("As many VMs as possible: KSM merges across nodes and transparent hugepages are always on."),
};

G_DEFINE_BOXED_TYPE (KtHostProfile, kt_host_profile, kt_host_profile_copy, kt_host_profile_free)

static void
setting_free (gpointer data)
{
  KtHostProfileSetting *s = data;

  g_free (s->key);
  g_free (s->value);
  g_free (s->when);
  g_free (s);
}

static KtHostProfile *
profile_new (void)
{
  KtHostProfile *self = g_new0 (KtHostProfile, 1);

  self->settings = g_ptr_array_new_with_free_func (setting_free);
  return self;
}

static void
profile_add (KtHostProfile *self,
             const char    *key,
             const char    *value,
             const char    *when)
{
  KtHostProfileSetting *s = g_new0 (KtHostProfileSetting, 1);

  s->key = g_strdup (key);
  s->value = g_strdup (value);
  s->when = g_strdup (when);
  g_ptr_array_add (self->settings, s);
}

KtHostProfile *
kt_host_profile_copy (const KtHostProfile *self)
{
  KtHostProfile *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = profile_new ();
  copy->id = g_strdup (self->id);
  copy->name = g_strdup (self->name);
  copy->description = g_strdup (self->description);
  copy->path = g_strdup (self->path);
  copy->user = self->user;
  for (guint i = 0; i < self->settings->len; i++)
    {
      const KtHostProfileSetting *s = g_ptr_array_index (self->settings, i);

      profile_add (copy, s->key, s->value, s->when);
    }
  return copy;
}

void
kt_host_profile_free (KtHostProfile *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->name);
  g_free (self->description);
  g_free (self->path);
  g_ptr_array_unref (self->settings);
  g_free (self);
}


/* Directories ------------------------------------------------------------ */

/**
 * kt_host_profile_user_dir:
 *
 * Returns: (transfer full): g_get_user_config_dir ()/kvmtune/host-profiles
 */
char *
kt_host_profile_user_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "kvmtune", "host-profiles", NULL);
}

/**
 * kt_host_profile_shipped_dir:
 *
 * Returns: the installed host-profiles directory, or the source tree's
 * when KvmTune runs uninstalled
 */
const char *
kt_host_profile_shipped_dir (void)
{
  static const char *installed = PKGDATADIR G_DIR_SEPARATOR_S "host-profiles";
  static const char *source = KT_SOURCE_DATADIR G_DIR_SEPARATOR_S "host-profiles";

  if (g_file_test (installed, G_FILE_TEST_IS_DIR))
    return installed;
  return source;
}

static gboolean
valid_id (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > 64 || id[0] == '.' || id[0] == '-')
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* Loading ---------------------------------------------------------------- */

static const char *
member_string (JsonObject *obj,
               const char *member,
               gboolean    required,
               const char *path,
               GError    **error)
{
  JsonNode *n = json_object_get_member (obj, member);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      if (required)
        g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                     _("%s: “%s” is missing"), path, member);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: “%s” must be a string"), path, member);
      return NULL;
    }
  return json_node_get_string (n);
}

static gboolean
check_setting (const char  *path,
               guint        index,
               const char  *key,
               const char  *value,
               const char  *when,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (when != NULL && !g_str_equal (when, "numa"))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: setting %u (%s): “when” must be “numa”, not “%s”"),
                   path, index + 1, key, when);
      return FALSE;
    }
  if (g_str_equal (key, "hugepages"))
    {
      if (!g_str_equal (value, "vms"))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("%s: setting %u: hugepages takes “vms” (pools sized to the VMs), "
                         "not “%s”"), path, index + 1, value);
          return FALSE;
        }
      return TRUE;
    }
  if (!kt_host_tuning_check_value (NULL, key, value, &local_error))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, _("%s: setting %u: %s"),
                   path, index + 1, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * kt_host_profile_load_file:
 * @user: whether it is one of the user's (names are then not translated)
 *
 * Returns: (transfer full): the profile, or %NULL with @error naming the
 * file and what is wrong
 */
KtHostProfile *
kt_host_profile_load_file (const char  *path,
                           gboolean     user,
                           GError     **error)
{
  g_autoptr(KtHostProfile) self = profile_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len;
  JsonNode *root;
  JsonObject *obj;
  JsonArray *settings;
  const char *id, *name, *description;

  g_return_val_if_fail (path != NULL, NULL);

  if (!kt_file_read (path, MAX_PROFILE_SIZE, &data, &len, NULL, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "%s: %s", path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: a host profile is a JSON object"), path);
      return NULL;
    }
  obj = json_node_get_object (root);
  if ((id = member_string (obj, "id", TRUE, path, error)) == NULL)
    return NULL;
  if (!valid_id (id))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: “%s” is not a profile id (letters, digits, - and _)"), path, id);
      return NULL;
    }
  if ((name = member_string (obj, "name", TRUE, path, error)) == NULL)
    return NULL;
  description = member_string (obj, "description", FALSE, path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!json_object_has_member (obj, "settings")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "settings")))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: “settings” must be a list"), path);
      return NULL;
    }
  settings = json_object_get_array_member (obj, "settings");
  if (json_array_get_length (settings) > MAX_SETTINGS)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("%s: more than %d settings"), path, MAX_SETTINGS);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (settings); i++)
    {
      JsonNode *n = json_array_get_element (settings, i);
      JsonObject *so;
      const char *key, *value, *when;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("%s: setting %u is not an object"), path, i + 1);
          return NULL;
        }
      so = json_node_get_object (n);
      if ((key = member_string (so, "key", TRUE, path, error)) == NULL
          || (value = member_string (so, "value", TRUE, path, error)) == NULL)
        return NULL;
      when = member_string (so, "when", FALSE, path, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!check_setting (path, i, key, value, when, error))
        return NULL;
      for (guint j = 0; j < self->settings->len; j++)
        if (g_str_equal (((KtHostProfileSetting *) g_ptr_array_index (self->settings, j))->key,
                         key))
          {
            g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                         _("%s: %s is set twice"), path, key);
            return NULL;
          }
      profile_add (self, key, value, when);
    }

  self->id = g_strdup (id);
  self->name = g_strdup (user ? name : g_dgettext (GETTEXT_PACKAGE, name));
  if (description != NULL)
    self->description = g_strdup (user ? description
                                       : g_dgettext (GETTEXT_PACKAGE, description));
  self->path = g_strdup (path);
  self->user = user;
  return g_steal_pointer (&self);
}

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  const KtHostProfile *pa = *(KtHostProfile **) a;
  const KtHostProfile *pb = *(KtHostProfile **) b;

  if (pa->user != pb->user)
    return pa->user ? 1 : -1;
  return g_strcmp0 (pa->id, pb->id);
}

static gboolean
load_dir (GPtrArray   *profiles,
          const char  *dir,
          gboolean     user,
          GPtrArray   *bad,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &local_error);
  const char *name;

  if (d == NULL)
    {
      if (user || g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;   /* the user has none yet */
      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", dir, local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      KtHostProfile *p;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (dir, name, NULL);
      p = kt_host_profile_load_file (path, user, &local_error);
      if (p == NULL)
        {
          if (!user || bad == NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_ptr_array_add (bad, g_steal_pointer (&local_error));
          continue;
        }
      if (kt_host_profile_find (profiles, p->id) != NULL)
        {
          /* A user's profile never hides a shipped one */
          g_autoptr(GError) dup = g_error_new (KT_ERROR, KT_ERROR_CONFLICT,
                                               _("%s: a profile “%s” exists already"),
                                               path, p->id);

          kt_host_profile_free (p);
          if (bad == NULL)
            {
              g_propagate_error (error, g_steal_pointer (&dup));
              return FALSE;
            }
          g_ptr_array_add (bad, g_steal_pointer (&dup));
          continue;
        }
      g_ptr_array_add (profiles, p);
    }
  return TRUE;
}

/**
 * kt_host_profile_load_all:
 * @bad_files: (out) (optional) (transfer full): a #GPtrArray of #GError,
 *   one per user profile that cannot be loaded; without it such a file
 *   fails the load
 *
 * Returns: (transfer full) (element-type KtHostProfile): the shipped
 * profiles, then the user's, each sorted by id
 */
GPtrArray *
kt_host_profile_load_all (GPtrArray **bad_files,
                          GError    **error)
{
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_profile_free);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autofree char *user_dir = kt_host_profile_user_dir ();

  if (!load_dir (profiles, kt_host_profile_shipped_dir (), FALSE, NULL, error)
      || !load_dir (profiles, user_dir, TRUE, bad_files ? bad : NULL, error))
    return NULL;
  g_ptr_array_sort (profiles, compare_ids);
  if (bad_files)
    *bad_files = g_steal_pointer (&bad);
  return g_steal_pointer (&profiles);
}

/**
 * kt_host_profile_find:
 *
 * Returns: (transfer none) (nullable): the profile called @id
 */
KtHostProfile *
kt_host_profile_find (GPtrArray  *profiles,
                      const char *id)
{
  for (guint i = 0; i < profiles->len; i++)
    {
      KtHostProfile *p = g_ptr_array_index (profiles, i);

      if (g_str_equal (p->id, id))
        return p;
    }
  return NULL;
}

/* Saving ----------------------------------------------------------------- */

/**
 * kt_host_profile_new_from_state:
 *
 * A user profile of @state's known values: tuned's profile when it runs,
 * KSM, THP, numa_balancing and every pool.
 *
 * Returns: (transfer full): the profile, not saved yet
 */
KtHostProfile *
kt_host_profile_new_from_state (const KtHostTuning *state,
                                const char         *id,
                                const char         *name)
{
  static const char * const fixed[] = {
    "tuned.profile", "ksm.run", "ksm.merge_across_nodes", "ksm.pages_to_scan",
    "ksm.sleep_millisecs", "thp.enabled", "thp.defrag", "numa_balancing", NULL
  };
  KtHostProfile *self;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  self = profile_new ();
  self->id = g_strdup (id);
  self->name = g_strdup (name ? name : id);
  self->user = TRUE;
  for (guint i = 0; fixed[i]; i++)
    {
      g_autofree char *v = kt_host_tuning_get_value (state, fixed[i]);

      if (v != NULL && kt_host_tuning_check_value (NULL, fixed[i], v, NULL))
        profile_add (self, fixed[i], v, NULL);
    }
  for (guint i = 0; i < state->hugepages->len; i++)
    {
      const KtHugePool *p = &g_array_index (state->hugepages, KtHugePool, i);
      g_autofree char *key = NULL;
      g_autofree char *v = NULL;

      if (p->total < 0)
        continue;
      key = g_strdup_printf ("hugepages.%d.%" G_GUINT64_FORMAT, p->node, p->size_kib);
      v = g_strdup_printf ("%" G_GINT64_FORMAT, p->total);
      profile_add (self, key, v, NULL);
    }
  return self;
}

/**
 * kt_host_profile_save:
 *
 * Writes @self to the user's directory as ID.json, replacing a profile
 * of the user's of that id; a shipped id is refused.
 */
gboolean
kt_host_profile_save (KtHostProfile  *self,
                      GError        **error)
{
  g_autofree char *dir = kt_host_profile_user_dir ();
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *shipped = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!valid_id (self->id))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("“%s” is not a profile id (letters, digits, - and _)"), self->id);
      return FALSE;
    }
  file = g_strconcat (self->id, ".json", NULL);
  shipped = g_build_filename (kt_host_profile_shipped_dir (), file, NULL);
  if (g_file_test (shipped, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                   _("“%s” is a profile KvmTune ships; choose another id"), self->id);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved = errno;

      g_set_error (error, KT_ERROR, KT_ERROR_IO, "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, self->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, self->name);
  if (self->description)
    {
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, self->description);
    }
  json_builder_set_member_name (b, "settings");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->settings->len; i++)
    {
      const KtHostProfileSetting *s = g_ptr_array_index (self->settings, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, s->key);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, s->value);
      if (s->when)
        {
          json_builder_set_member_name (b, "when");
          json_builder_add_string_value (b, s->when);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  path = g_build_filename (dir, file, NULL);
  if (!kt_file_write (path, text, strlen (text), KT_FILE_WRITE_NONE, NULL, NULL, error))
    return FALSE;
  g_free (self->path);
  self->path = g_steal_pointer (&path);
  self->user = TRUE;
  return TRUE;
}
