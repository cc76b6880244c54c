"""The full-text search index of published articles, one per database.

PostgreSQL: a ``search_vector`` column on ``stories_article`` (title weight A,
summary B, body C) built with the text-search configuration of the article's
own language, accents folded by ``unaccent``; a GIN index on it; a trigram
index on the accent-folded title. SQLite: an FTS5 table ``article_search``
over the article table (external content), ``unicode61`` with diacritics
removed. On both, triggers keep the index current on every write, so no code
path that saves or hides an article can forget it; hidden articles leave it.

The column and the FTS5 table are not model fields: Django never reads or
writes them, so listing queries never carry a tsvector. ``newsdesk search
rebuild`` (``newsdesk.stories.search_index``, which also holds the SQLite
triggers, re-created after every ``migrate``) fills both again.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

from newsdesk.stories.search_index import SQLITE_CREATE_TABLE, SQLITE_TRIGGERS

# ISO 639-1 code -> PostgreSQL's own configuration (snowball stemmer and stop
# words). A configuration missing on an older server is skipped; articles in
# that language, or in none of these, use ``simple`` (no stemming).
LANGUAGE_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
# Token types that may carry accents; ASCII-only tokens need no folding.
FOLDED_TOKENS = ("word", "hword", "hword_part")

SQLITE_FILL = """INSERT INTO article_search(rowid, title, summary, body_text)
    SELECT id, title, summary, body_text FROM stories_article WHERE status = 'published'"""
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS article_search_insert",
    "DROP TRIGGER IF EXISTS article_search_delete",
    "DROP TRIGGER IF EXISTS article_search_update",
    "DROP TABLE IF EXISTS article_search",
]

POSTGRES_TABLE = [
    "ALTER TABLE stories_article ADD COLUMN search_vector tsvector",
    """CREATE FUNCTION {schema}.newsdesk_article_vector(
           language text, title text, summary text, body text)
       RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT setweight(to_tsvector({schema}.newsdesk_search_config($1), coalesce($2, '')), 'A')
             || setweight(to_tsvector({schema}.newsdesk_search_config($1), coalesce($3, '')), 'B')
             || setweight(to_tsvector({schema}.newsdesk_search_config($1), coalesce($4, '')), 'C')
       $$""",
    # Recompute only when the text, language or status changed: the Understand
    # stage and image fetching update articles all day without touching them.
    """CREATE FUNCTION {schema}.newsdesk_article_search_trigger() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.status <> 'published' THEN
           NEW.search_vector := NULL;
         ELSIF TG_OP = 'INSERT' OR NEW.search_vector IS NULL
             OR NEW.title IS DISTINCT FROM OLD.title
             OR NEW.summary IS DISTINCT FROM OLD.summary
             OR NEW.body_text IS DISTINCT FROM OLD.body_text
             OR NEW.language IS DISTINCT FROM OLD.language THEN
           NEW.search_vector := {schema}.newsdesk_article_vector(
             NEW.language, NEW.title, NEW.summary, NEW.body_text);
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER article_search_vector
       BEFORE INSERT OR UPDATE OF title, summary, body_text, language, status
       ON stories_article FOR EACH ROW
       EXECUTE FUNCTION {schema}.newsdesk_article_search_trigger()""",
    """UPDATE stories_article
       SET search_vector = {schema}.newsdesk_article_vector(language, title, summary, body_text)
       WHERE status = 'published'""",
    "CREATE INDEX article_search_vector ON stories_article USING gin (search_vector)",
    # Search reads the languages present with one index probe per language.
    "CREATE INDEX article_language ON stories_article (language)",
    """CREATE INDEX article_title_trigram ON stories_article
       USING gin ({schema}.newsdesk_unaccent(title) {trgm}.gin_trgm_ops)""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS article_search_vector ON stories_article",
    "DROP INDEX IF EXISTS article_title_trigram",
    "DROP INDEX IF EXISTS article_language",
    "ALTER TABLE stories_article DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS {schema}.newsdesk_article_search_trigger()",
    "DROP FUNCTION IF EXISTS {schema}.newsdesk_article_vector(text, text, text, text)",
    "DROP FUNCTION IF EXISTS {schema}.newsdesk_search_config(text)",
    "DROP FUNCTION IF EXISTS {schema}.newsdesk_unaccent(text)",
]


def _run(schema_editor, statements, **names):
    for statement in statements:
        schema_editor.execute(statement.format(**names))


def _one(cursor, sql, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _extension_schema(cursor, name):
    return _one(
        cursor,
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = %s",
        [name],
    )


def _create_configs(schema_editor, cursor, schema, unaccent):
    """Copy each language's configuration with ``unaccent`` before its stemmer.

    Return the base name -> new configuration name of the configurations made.
    """
    cursor.execute("SELECT cfgname FROM pg_ts_config")
    available = {row[0] for row in cursor.fetchall()}
    made = {}
    for base in sorted({*LANGUAGE_CONFIGS.values(), "simple"} & available):
        name = f"{schema}.newsdesk_{base}"
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})")
        for token in FOLDED_TOKENS:
            cursor.execute(
                "SELECT string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno)"
                " FROM pg_ts_config_map m JOIN ts_token_type('default') t"
                " ON t.tokid = m.maptokentype"
                " WHERE m.mapcfg = %s::regconfig AND t.alias = %s",
                [name, token],
            )
            dictionaries = cursor.fetchone()[0]
            if dictionaries:
                schema_editor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR {token}"
                    f" WITH {unaccent}.unaccent, {dictionaries}"
                )
        made[base] = name
    return made


def postgres_forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        schema = _one(cursor, "SELECT current_schema()")
        unaccent = _extension_schema(cursor, "unaccent")
        trgm = _extension_schema(cursor, "pg_trgm")
        made = _create_configs(schema_editor, cursor, schema, unaccent)
    by_code = {code: made[base] for code, base in LANGUAGE_CONFIGS.items() if base in made}
    # unaccent() is only STABLE (its dictionary could change); with the
    # dictionary named it is safe to index, as PostgreSQL's docs suggest.
    schema_editor.execute(
        f"CREATE FUNCTION {schema}.newsdesk_unaccent(text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS"
        f" $$ SELECT {unaccent}.unaccent('{unaccent}.unaccent'::regdictionary, $1) $$"
    )
    cases = " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in by_code.items())
    schema_editor.execute(
        f"CREATE FUNCTION {schema}.newsdesk_search_config(language text) RETURNS regconfig"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
        f" SELECT CASE lower(split_part(coalesce($1, ''), '-', 1)) {cases}"
        f" ELSE '{made['simple']}'::regconfig END $$"
    )
    _run(schema_editor, POSTGRES_TABLE, schema=schema, trgm=trgm)


def postgres_backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        schema = _one(cursor, "SELECT current_schema()")
        cursor.execute(
            "SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'newsdesk\\_%%'"
            " AND cfgnamespace = %s::regnamespace",
            [schema],
        )
        configs = [row[0] for row in cursor.fetchall()]
    _run(schema_editor, POSTGRES_BACKWARD, schema=schema)
    for name in configs:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION {schema}.{name}")


def sqlite_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, [SQLITE_CREATE_TABLE, *SQLITE_TRIGGERS, SQLITE_FILL])


def sqlite_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class PostgresOnly:
    """Skip an extension operation on other databases, both ways.

    Django's CreateExtension skips other databases going forward but not back.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Unaccent(PostgresOnly, UnaccentExtension):
    pass


class Trigram(PostgresOnly, TrigramExtension):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0004_front_date_precision"),
    ]

    operations = [
        # Both operations do nothing on databases other than PostgreSQL.
        Unaccent(),
        Trigram(),
        migrations.RunPython(postgres_forward, postgres_backward),
        migrations.RunPython(sqlite_forward, sqlite_backward),
    ]
