/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "gorm-error.h"
#include "gorm-relation-private.h"
#include "gorm-schema-private.h"

/*
 * Metadata is recorded as a list of entries per class, in call order, and
 * only checked when the schema is built: the class functions run in
 * class_init (or right after a Python class statement), where there is no
 * way to report an error, and may name properties in any order.
 */
typedef struct
{
  GormMetaKind  kind;
  char         *property;
  char         *text;
  guint         number;
} GormMeta;

static GMutex schema_lock;
static GHashTable *metas_by_type;   /* GType → GPtrArray of GormMeta */
static GHashTable *schemas_by_type; /* GType → GormSchema */

/* Property names compare in their canonical form, so "pub_date" finds
 * the property "pub-date". */
static char *
canonical_name (const char *property)
{
  char *name = g_strdup (property);

  g_strdelimit (name, "_", '-');
  return name;
}

static void
gorm_meta_free (GormMeta *meta)
{
  g_free (meta->property);
  g_free (meta->text);
  g_free (meta);
}

void
gorm_schema_record_meta (GType         type,
                         GormMetaKind  kind,
                         const char   *property,
                         const char   *text,
                         guint         number)
{
  GormMeta *meta;
  GPtrArray *metas;

  meta = g_new0 (GormMeta, 1);
  meta->kind = kind;
  /* Property names compare in their canonical form: "pub_date" names the
   * property "pub-date". */
  meta->property = property ? canonical_name (property) : NULL;
  meta->text = g_strdup (text);
  meta->number = number;

  g_mutex_lock (&schema_lock);
  if (metas_by_type == NULL)
    metas_by_type = g_hash_table_new (NULL, NULL);
  metas = g_hash_table_lookup (metas_by_type, GSIZE_TO_POINTER (type));
  if (metas == NULL)
    {
      metas = g_ptr_array_new_with_free_func ((GDestroyNotify) gorm_meta_free);
      g_hash_table_insert (metas_by_type, GSIZE_TO_POINTER (type), metas);
    }
  g_ptr_array_add (metas, meta);
  g_mutex_unlock (&schema_lock);
}

char *
gorm_schema_snake_case (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p; p++)
    {
      if (g_ascii_isupper (*p))
        {
          /* A capital starts a word after a lower-case letter or digit, or
           * ends an acronym: "BlogPost" → "blog_post", "HTTPServer" →
           * "http_server". */
          gboolean after_lower = p > name && (g_ascii_islower (p[-1]) || g_ascii_isdigit (p[-1]));
          gboolean ends_acronym = p > name && g_ascii_isupper (p[-1]) && g_ascii_islower (p[1]);

          if ((after_lower || ends_acronym) && out->len > 0 && out->str[out->len - 1] != '_')
            g_string_append_c (out, '_');
          g_string_append_c (out, g_ascii_tolower (*p));
        }
      else if (g_ascii_isalnum (*p))
        g_string_append_c (out, *p);
      else if (out->len > 0 && out->str[out->len - 1] != '_')
        g_string_append_c (out, '_');
    }
  while (out->len > 0 && out->str[out->len - 1] == '_')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}


/* The default table of a type: its name in snake case. A name PyGObject
 * made for a Python class, "module+Class" or "module+Class-v2" when the
 * first was taken, counts from the class name, without the serial: the
 * table of a Python class Task is "task", as the override always gave. */
static char *
default_table (const char *type_name)
{
  const char *start = strrchr (type_name, '+');
  g_autofree char *name = g_strdup (start != NULL ? start + 1 : type_name);
  char *serial = start != NULL ? strrchr (name, '-') : NULL;

  if (serial != NULL && serial[1] == 'v' && serial[2] != '\0' &&
      strspn (serial + 2, "0123456789") == strlen (serial + 2))
    *serial = '\0';
  return gorm_schema_snake_case (name);
}

char *
gorm_schema_type_snake_name (GType type)
{
  return default_table (g_type_name (type));
}

gboolean
gorm_schema_column_is_nullable (const GormColumn *column)
{
  return gorm_column_is_nullable (column);
}

static gboolean
is_stored_pspec (GParamSpec *pspec)
{
  return (pspec->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE &&
         !(pspec->flags & G_PARAM_CONSTRUCT_ONLY) &&
         pspec->owner_type != GORM_TYPE_RESOURCE;
}

/* The metadata of @type and of its ancestors below GormResource, the
 * ancestors' first. */
static GPtrArray *
collect_metas_locked (GType type)
{
  GPtrArray *all = g_ptr_array_new ();
  g_autoptr(GArray) chain = g_array_new (FALSE, FALSE, sizeof (GType));

  for (GType t = type; t != GORM_TYPE_RESOURCE && t != G_TYPE_INVALID; t = g_type_parent (t))
    g_array_prepend_val (chain, t);

  for (guint i = 0; i < chain->len; i++)
    {
      GPtrArray *metas = metas_by_type
        ? g_hash_table_lookup (metas_by_type, GSIZE_TO_POINTER (g_array_index (chain, GType, i)))
        : NULL;

      for (guint j = 0; metas != NULL && j < metas->len; j++)
        g_ptr_array_add (all, g_ptr_array_index (metas, j));
    }

  return all;
}

static const GormMeta *
find_meta (GPtrArray    *metas,
           GormMetaKind  kind,
           const char   *property)
{
  const GormMeta *found = NULL;

  /* The last call wins, so a subclass can override its parent. */
  for (guint i = 0; i < metas->len; i++)
    {
      const GormMeta *meta = g_ptr_array_index (metas, i);

      if (meta->kind != kind)
        continue;
      if (property != NULL && g_strcmp0 (meta->property, property) != 0)
        continue;
      found = meta;
    }

  return found;
}

static const char *
meta_function_name (GormMetaKind kind)
{
  static const char * const names[] = {
    [GORM_META_TABLE] = "set_table",
    [GORM_META_PRIMARY_KEY] = "set_primary_key",
    [GORM_META_UNIQUE] = "set_unique",
    [GORM_META_NOT_NULL] = "set_not_null",
    [GORM_META_MAX_LENGTH] = "set_max_length",
    [GORM_META_INDEXED] = "set_indexed",
    [GORM_META_AUTO_NOW_ADD] = "set_auto_now_add",
    [GORM_META_AUTO_NOW] = "set_auto_now",
    [GORM_META_COLUMN_NAME] = "set_column_name",
    [GORM_META_TRANSIENT] = "set_transient",
    [GORM_META_UNIQUE_TOGETHER] = "add_unique_together",
    [GORM_META_INDEX] = "add_index",
    [GORM_META_NULLABLE] = "set_nullable",
    [GORM_META_RENAMED_FROM] = "set_renamed_from",
    [GORM_META_TABLE_RENAMED_FROM] = "set_table_renamed_from",
  };

  return names[kind];
}

static void
gorm_schema_free (GormSchema *schema)
{
  for (guint i = 0; i < schema->n_columns; i++)
    {
      g_free (schema->columns[i].name);
      g_free (schema->columns[i].renamed_from);
    }
  for (guint i = 0; i < schema->n_indexes; i++)
    {
      g_free (schema->indexes[i].name);
      g_free (schema->indexes[i].columns);
    }
  g_free (schema->indexes);
  g_free (schema->columns);
  g_free (schema->sql_types);
  g_free (schema->table);
  g_free (schema->table_renamed_from);
  g_clear_pointer (&schema->by_name, g_hash_table_unref);
  g_clear_pointer (&schema->by_pspec, g_hash_table_unref);
  g_free (schema);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GormSchema, gorm_schema_free)

/* Checks that every metadata entry names a stored property of the
 * schema, and that its rule fits the property's type. */
static gboolean
check_metas (GormSchema  *schema,
             GPtrArray   *metas,
             GObjectClass *klass,
             GError     **error)
{
  for (guint i = 0; i < metas->len; i++)
    {
      const GormMeta *meta = g_ptr_array_index (metas, i);
      const GormColumn *column;

      if (meta->property == NULL)
        continue;

      column = gorm_schema_find_column (schema, meta->property);
      if (column == NULL && meta->kind == GORM_META_TRANSIENT &&
          g_object_class_find_property (klass, meta->property) != NULL)
        continue;
      if (column == NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                       "%s has no stored property “%s”, named by gorm_resource_class_%s()",
                       schema->type_name, meta->property, meta_function_name (meta->kind));
          return FALSE;
        }

      if (meta->kind == GORM_META_MAX_LENGTH && column->kind != GORM_VALUE_KIND_STRING)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "%s:%s is a %s property; a maximum length applies to strings only",
                       schema->type_name, column->pspec->name,
                       g_type_name (column->pspec->value_type));
          return FALSE;
        }

      if ((meta->kind == GORM_META_AUTO_NOW || meta->kind == GORM_META_AUTO_NOW_ADD) &&
          column->kind != GORM_VALUE_KIND_DATE_TIME)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "%s:%s is a %s property; gorm_resource_class_%s() applies to "
                       "GDateTime properties only",
                       schema->type_name, column->pspec->name,
                       g_type_name (column->pspec->value_type), meta_function_name (meta->kind));
          return FALSE;
        }

      if (meta->kind == GORM_META_PRIMARY_KEY &&
          column->kind != GORM_VALUE_KIND_INT &&
          column->kind != GORM_VALUE_KIND_UINT &&
          column->kind != GORM_VALUE_KIND_STRING)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_TYPE_MISMATCH,
                       "%s:%s is a %s property; a primary key is an integer or a string",
                       schema->type_name, column->pspec->name,
                       g_type_name (column->pspec->value_type));
          return FALSE;
        }

      if (meta->kind == GORM_META_NULLABLE && (column->flags & GORM_COLUMN_PRIMARY_KEY))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                       "%s:%s is the primary key, which cannot be NULL: "
                       "gorm_resource_class_set_nullable() does not apply to it",
                       schema->type_name, column->pspec->name);
          return FALSE;
        }

      if (meta->kind == GORM_META_NULLABLE && find_meta (metas, GORM_META_NOT_NULL, meta->property))
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                       "%s:%s is given both gorm_resource_class_set_nullable() and "
                       "gorm_resource_class_set_not_null()",
                       schema->type_name, column->pspec->name);
          return FALSE;
        }
    }

  return TRUE;
}

static GormColumnFlags
column_flags (GPtrArray  *metas,
              const char *property)
{
  static const struct { GormMetaKind kind; GormColumnFlags flag; } rules[] = {
    { GORM_META_PRIMARY_KEY, GORM_COLUMN_PRIMARY_KEY },
    { GORM_META_UNIQUE, GORM_COLUMN_UNIQUE },
    { GORM_META_NOT_NULL, GORM_COLUMN_NOT_NULL },
    { GORM_META_INDEXED, GORM_COLUMN_INDEXED },
    { GORM_META_AUTO_NOW_ADD, GORM_COLUMN_AUTO_NOW_ADD },
    { GORM_META_AUTO_NOW, GORM_COLUMN_AUTO_NOW },
    { GORM_META_NULLABLE, GORM_COLUMN_NULLABLE },
  };
  GormColumnFlags flags = 0;

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (find_meta (metas, rules[i].kind, property) != NULL)
      flags |= rules[i].flag;

  return flags;
}

static gboolean
add_column (GormSchema  *schema,
            GPtrArray   *metas,
            GParamSpec  *pspec,
            GError     **error)
{
  GormColumn *column = &schema->columns[schema->n_columns];
  const GormMeta *meta;

  if (!gorm_value_kind_for_type (pspec->value_type, &column->kind))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE,
                   "%s:%s has the type %s, which libgorm cannot store; mark it with "
                   "gorm_resource_class_set_transient() to keep it out of the database",
                   schema->type_name, pspec->name, g_type_name (pspec->value_type));
      return FALSE;
    }

  column->pspec = pspec;
  column->index = schema->n_columns;
  column->flags = column_flags (metas, pspec->name);
  /* Every foreign key is indexed: reverse relations, joins and on_delete
   * read by it. */
  if (gorm_relation_declares_key (schema->type, pspec->name))
    column->flags |= GORM_COLUMN_INDEXED;
  /* A GValue of a number, boolean, enum or flags cannot hold NULL: such a
   * column is NOT NULL unless the class says it may be NULL. */
  if (!gorm_value_kind_is_nullable (column->kind) && !(column->flags & GORM_COLUMN_NULLABLE))
    column->flags |= GORM_COLUMN_NOT_NULL;
  meta = find_meta (metas, GORM_META_COLUMN_NAME, pspec->name);
  column->name = meta ? g_strdup (meta->text) : gorm_schema_snake_case (pspec->name);
  meta = find_meta (metas, GORM_META_MAX_LENGTH, pspec->name);
  column->max_length = meta ? meta->number : 0;
  meta = find_meta (metas, GORM_META_RENAMED_FROM, pspec->name);
  column->renamed_from = meta ? g_strdup (meta->text) : NULL;

  for (guint i = 0; i < schema->n_columns; i++)
    if (g_str_equal (schema->columns[i].name, column->name))
      {
        g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                     "%s:%s and %s:%s are both stored in the column “%s”",
                     schema->type_name, schema->columns[i].pspec->name,
                     schema->type_name, pspec->name, column->name);
        g_free (column->name);
        g_clear_pointer (&column->renamed_from, g_free);
        return FALSE;
      }

  schema->n_columns++;

  return TRUE;
}

static void
index_columns (GormSchema *schema)
{
  g_hash_table_remove_all (schema->by_name);
  g_hash_table_remove_all (schema->by_pspec);
  for (guint i = 0; i < schema->n_columns; i++)
    {
      GormColumn *column = &schema->columns[i];

      column->index = i;
      /* Property names are interned strings. */
      g_hash_table_insert (schema->by_name, (gpointer) column->pspec->name, column);
      g_hash_table_insert (schema->by_pspec, column->pspec, column);
    }
}

/* PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1). */
#define MAX_INDEX_NAME 63

/* The name of a composite index: the prefix, the table and the columns
 * joined by "_"; shortened to its first bytes and a hash of the whole
 * when it is too long, or when @hashed (another index has its name). */
static char *
composite_index_name (const GormSchema  *schema,
                      gboolean           unique,
                      const GormColumn **columns,
                      guint              n_columns,
                      gboolean           hashed)
{
  g_autoptr(GString) name = g_string_new (unique ? "ux_" : "ix_");
  g_autoptr(GString) whole = g_string_new (schema->table);
  g_autofree char *digest = NULL;
  const char *end;

  g_string_append (name, schema->table);
  for (guint i = 0; i < n_columns; i++)
    {
      g_string_append_c (name, '_');
      g_string_append (name, columns[i]->name);
      /* The hash tells (a_b, c) from (a, b_c). */
      g_string_append_c (whole, '\x1f');
      g_string_append (whole, columns[i]->name);
    }
  if (!hashed && name->len <= MAX_INDEX_NAME)
    return g_string_free (g_steal_pointer (&name), FALSE);

  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA1, whole->str, whole->len);
  /* The kept bytes end on a character boundary. */
  end = name->str + MIN (name->len, MAX_INDEX_NAME - 9);
  if (end < name->str + name->len)
    end = g_utf8_find_prev_char (name->str, end + 1);
  g_string_truncate (name, end - name->str);
  g_string_append_printf (name, "_%.8s", digest);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* Whether another index of @schema has the name of @index: another
 * composite one, or the index of one column, "ix_TABLE_COLUMN" or
 * "ux_TABLE_COLUMN" as the dialect names them, unless it is that very
 * index. */
static gboolean
index_name_taken (const GormSchema *schema,
                  const GormIndex  *index)
{
  for (guint i = 0; i < schema->n_indexes; i++)
    if (g_str_equal (schema->indexes[i].name, index->name))
      return TRUE;

  for (guint i = 0; i < schema->n_columns; i++)
    {
      const GormColumn *column = &schema->columns[i];
      g_autofree char *single = g_strdup_printf ("%s_%s_%s", index->unique ? "ux" : "ix",
                                                 schema->table, column->name);

      if (g_str_equal (single, index->name) &&
          !(index->n_columns == 1 && index->columns[0] == column))
        return TRUE;
    }
  return FALSE;
}

/* Adds the composite index of @meta to @schema, unless it has it. */
static gboolean
add_index (GormSchema      *schema,
           const GormMeta  *meta,
           GError         **error)
{
  g_auto(GStrv) names = g_strsplit (meta->text, ",", -1);
  guint n_columns = g_strv_length (names);
  g_autofree const GormColumn **columns = g_new0 (const GormColumn *, n_columns);
  gboolean unique = meta->kind == GORM_META_UNIQUE_TOGETHER;
  g_autofree char *listed = g_strjoinv (", ", names);
  GormIndex *index;

  for (guint i = 0; i < n_columns; i++)
    {
      columns[i] = gorm_schema_find_column (schema, names[i]);
      if (columns[i] == NULL)
        {
          g_set_error (error, GORM_ERROR, GORM_ERROR_UNKNOWN_PROPERTY,
                       "%s has no stored property “%s”, named by "
                       "gorm_resource_class_%s() among “%s”",
                       schema->type_name, names[i], meta_function_name (meta->kind), listed);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (columns[j] == columns[i])
          {
            g_set_error (error, GORM_ERROR, GORM_ERROR_FAILED,
                         "%s:%s is named twice by gorm_resource_class_%s() among “%s”",
                         schema->type_name, columns[i]->pspec->name,
                         meta_function_name (meta->kind), listed);
            return FALSE;
          }
    }

  for (guint i = 0; i < schema->n_indexes; i++)
    {
      const GormIndex *other = &schema->indexes[i];

      /* A class may say the same twice (a subclass repeating its
       * parent's): one index. */
      if (other->unique == unique && other->n_columns == n_columns &&
          memcmp (other->columns, columns, n_columns * sizeof (GormColumn *)) == 0)
        return TRUE;
    }

  index = &schema->indexes[schema->n_indexes];
  index->unique = unique;
  index->n_columns = n_columns;
  index->columns = g_steal_pointer (&columns);
  index->name = composite_index_name (schema, unique, index->columns, n_columns, FALSE);
  if (index_name_taken (schema, index))
    {
      g_free (index->name);
      index->name = composite_index_name (schema, unique, index->columns, n_columns, TRUE);
    }
  schema->n_indexes++;

  return TRUE;
}

static gboolean
add_indexes (GormSchema  *schema,
             GPtrArray   *metas,
             GError     **error)
{
  guint n_metas = 0;

  for (guint i = 0; i < metas->len; i++)
    {
      const GormMeta *meta = g_ptr_array_index (metas, i);

      if (meta->kind == GORM_META_UNIQUE_TOGETHER || meta->kind == GORM_META_INDEX)
        n_metas++;
    }
  if (n_metas == 0)
    return TRUE;

  schema->indexes = g_new0 (GormIndex, n_metas);
  for (guint i = 0; i < metas->len; i++)
    {
      const GormMeta *meta = g_ptr_array_index (metas, i);

      if ((meta->kind == GORM_META_UNIQUE_TOGETHER || meta->kind == GORM_META_INDEX) &&
          !add_index (schema, meta, error))
        return FALSE;
    }
  return TRUE;
}

static GormSchema *
build_schema_locked (GType    type,
                     GError **error)
{
  g_autoptr(GormSchema) schema = NULL;
  g_autoptr(GPtrArray) metas = NULL;
  g_autofree GParamSpec **pspecs = NULL;
  GObjectClass *klass;
  const GormMeta *table_meta;
  const GormMeta *key_meta;
  GParamSpec *id_pspec;
  guint n_pspecs;

  if (!g_type_is_a (type, GORM_TYPE_RESOURCE) || G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, GORM_ERROR, GORM_ERROR_UNSUPPORTED_TYPE,
                   "%s is not a concrete subclass of GormResource", g_type_name (type));
      return NULL;
    }

  klass = g_type_class_peek (type);
  metas = collect_metas_locked (type);

  schema = g_new0 (GormSchema, 1);
  schema->type = type;
  schema->type_name = g_type_name (type);
  schema->by_name = g_hash_table_new (NULL, NULL);
  schema->by_pspec = g_hash_table_new (NULL, NULL);
  table_meta = find_meta (metas, GORM_META_TABLE, NULL);
  schema->table = table_meta ? g_strdup (table_meta->text)
                             : default_table (schema->type_name);
  table_meta = find_meta (metas, GORM_META_TABLE_RENAMED_FROM, NULL);
  schema->table_renamed_from = table_meta ? g_strdup (table_meta->text) : NULL;

  pspecs = g_object_class_list_properties (klass, &n_pspecs);
  schema->columns = g_new0 (GormColumn, n_pspecs + 1);

  /* The key comes first: the automatic "id", or the natural key. */
  key_meta = find_meta (metas, GORM_META_PRIMARY_KEY, NULL);
  if (key_meta == NULL)
    {
      id_pspec = g_object_class_find_property (klass, "id");
      schema->columns[0] = (GormColumn) {
        .pspec = id_pspec,
        .name = g_strdup ("id"),
        .kind = GORM_VALUE_KIND_INT,
        .flags = GORM_COLUMN_PRIMARY_KEY | GORM_COLUMN_AUTO_ID,
      };
      schema->n_columns = 1;
    }

  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];

      if (!is_stored_pspec (pspec) ||
          find_meta (metas, GORM_META_TRANSIENT, pspec->name) != NULL)
        continue;
      if (!add_column (schema, metas, pspec, error))
        return NULL;
    }

  index_columns (schema);
  if (!check_metas (schema, metas, klass, error))
    return NULL;

  if (key_meta != NULL)
    {
      GormColumn *key = (GormColumn *) gorm_schema_find_column (schema, key_meta->property);
      GormColumn moved = *key;

      /* Move the natural key to the front. */
      memmove (&schema->columns[1], &schema->columns[0],
               (key - schema->columns) * sizeof (GormColumn));
      schema->columns[0] = moved;
      index_columns (schema);
    }
  schema->key = &schema->columns[0];
  /* The columns stay where they are from here on: indexes point to them. */
  if (!add_indexes (schema, metas, error))
    return NULL;
  schema->sql_types = g_new0 (GType, schema->n_columns + 1);
  for (guint i = 0; i < schema->n_columns; i++)
    schema->sql_types[i] = gorm_value_kind_get_sql_type (schema->columns[i].kind);
  schema->sql_types[schema->n_columns] = G_TYPE_NONE;

  return g_steal_pointer (&schema);
}

const GormSchema *
gorm_schema_lookup (GType    type,
                    GError **error)
{
  GormSchema *schema;

  /* The class is initialized outside the lock, since its class_init
   * records metadata; it stays alive with its schema, as long as the
   * process. */
  if (G_TYPE_IS_CLASSED (type) && !G_TYPE_IS_ABSTRACT (type))
    g_type_class_ref (type);

  g_mutex_lock (&schema_lock);
  if (schemas_by_type == NULL)
    schemas_by_type = g_hash_table_new (NULL, NULL);
  schema = g_hash_table_lookup (schemas_by_type, GSIZE_TO_POINTER (type));
  if (schema == NULL)
    {
      schema = build_schema_locked (type, error);
      if (schema != NULL)
        g_hash_table_insert (schemas_by_type, GSIZE_TO_POINTER (type), schema);
    }
  g_mutex_unlock (&schema_lock);

  return schema;
}

const GormColumn *
gorm_schema_find_column (const GormSchema *schema,
                         const char       *property)
{
  g_autofree char *name = NULL;
  GQuark quark;

  if (property == NULL)
    return NULL;
  name = canonical_name (property);
  /* Property names are interned; a name that was never interned names no
   * property, and looking it up must not intern it. */
  quark = g_quark_try_string (name);
  if (quark == 0)
    return NULL;
  return g_hash_table_lookup (schema->by_name, g_quark_to_string (quark));
}

const GormColumn *
gorm_schema_column_for_pspec (const GormSchema *schema,
                              GParamSpec       *pspec)
{
  return g_hash_table_lookup (schema->by_pspec, pspec);
}

gboolean
gorm_schema_has_auto_id (const GormSchema *schema)
{
  return (schema->key->flags & GORM_COLUMN_AUTO_ID) != 0;
}

gboolean
gorm_column_is_nullable (const GormColumn *column)
{
  return !(column->flags & (GORM_COLUMN_NOT_NULL | GORM_COLUMN_PRIMARY_KEY));
}

gboolean
gorm_column_marks_null (const GormColumn *column)
{
  return gorm_column_is_nullable (column) && !gorm_value_kind_is_nullable (column->kind);
}

/* Object construction. A class's new-object function is type data of
 * the class that set it (gorm_resource_class_set_new_func()), under
 * schema_lock. */
typedef struct
{
  GormResourceNewFunc func;
  gpointer            user_data;
  GDestroyNotify      destroy;
} NewFunc;

static GQuark
new_func_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("gorm-new-func"));
  return (GQuark) quark;
}

void
gorm_schema_set_new_func (GType               type,
                          GormResourceNewFunc func,
                          gpointer            user_data,
                          GDestroyNotify      destroy)
{
  NewFunc *new_func;
  gpointer old_data = NULL;
  GDestroyNotify old_destroy = NULL;

  /* Type data lives as long as the type, that is the program: a class
   * keeps its one NewFunc, whose function and data are replaced. */
  g_mutex_lock (&schema_lock);
  new_func = g_type_get_qdata (type, new_func_quark ());
  if (new_func == NULL)
    {
      new_func = g_new0 (NewFunc, 1);
      g_type_set_qdata (type, new_func_quark (), new_func);
    }
  old_data = new_func->user_data;
  old_destroy = new_func->destroy;
  new_func->func = func;
  new_func->user_data = user_data;
  new_func->destroy = destroy;
  g_mutex_unlock (&schema_lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

static gboolean
has_construct_only (GObjectClass  *klass,
                    guint          n_properties,
                    const char   **names)
{
  for (guint i = 0; i < n_properties; i++)
    {
      GParamSpec *pspec;

      /* GormResource's own, construct but not construct-only: not looked
       * up for every object loaded. */
      if (strcmp (names[i], "database") == 0)
        continue;
      pspec = g_object_class_find_property (klass, names[i]);

      if (pspec != NULL && (pspec->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
        return TRUE;
    }
  return FALSE;
}

/* Whether @object, which a new-object function returned, is what it must
 * be: a @type of @database. Warns when it is not. */
static gboolean
check_new_object (GObject              *object,
                  GType                 type,
                  GormDatabase         *database,
                  GormSchemaDatabaseOf  database_of)
{
  if (object != NULL && G_OBJECT_TYPE (object) == type)
    {
      if (database_of (object) == database)
        return TRUE;
    }
  g_warning ("The new-object function of %s returned %s%s%s rather than a %s of the "
             "database given: libgorm builds the object with g_object_new()",
             g_type_name (type), object ? "a " : "NULL",
             object ? G_OBJECT_TYPE_NAME (object) : "",
             object && G_OBJECT_TYPE (object) == type ? " of another database" : "",
             g_type_name (type));
  return FALSE;
}

GObject *
gorm_schema_new_object (GType                 type,
                        GormDatabase         *database,
                        GormSchemaDatabaseOf  database_of,
                        guint                 n_properties,
                        const char          **names,
                        const GValue         *values)
{
  GormResourceNewFunc func = NULL;
  gpointer user_data = NULL;
  const NewFunc *new_func;
  GObject *object;

  g_mutex_lock (&schema_lock);
  new_func = g_type_get_qdata (type, new_func_quark ());
  if (new_func != NULL)
    {
      func = new_func->func;
      user_data = new_func->user_data;
    }
  g_mutex_unlock (&schema_lock);

  /* Without a function, or with a construct-only property to set, the
   * object is built by g_object_new(), which sets the construct
   * properties, the database among them. */
  if (func == NULL || has_construct_only (g_type_class_peek (type), n_properties, names))
    return g_object_new_with_properties (type, n_properties, names, values);

  object = (GObject *) func (database, user_data);
  if (!check_new_object (object, type, database, database_of))
    {
      g_clear_object (&object);
      return g_object_new_with_properties (type, n_properties, names, values);
    }
  for (guint i = 0; i < n_properties; i++)
    if (g_strcmp0 (names[i], "database") != 0)
      g_object_set_property (object, names[i], &values[i]);
  return object;
}
