/* Keeps a library non-empty while its layer has no sources of its own. */
typedef int airlock_empty_translation_unit;
