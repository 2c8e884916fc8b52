/* gen-util.c: hashing, randomness, JSON and time formatting shared by the
 * traffic generator's modules */

#include "gen-util.h"

#include <string.h>

/**
 * gen_sha256:
 * @data: (array length=len): bytes to hash
 * @len: length of @data
 * @digest: (out caller-allocates): the SHA-256 digest
 *
 * One-shot SHA-256 through OpenSSL (which uses the CPU's SHA extensions).
 */
void
gen_sha256 (const void *data,
            gsize       len,
            guint8      digest[32])
{
  unsigned int digest_len = 32;

  if (!EVP_Digest (data, len, digest, &digest_len, EVP_sha256 (), NULL))
    g_error ("SHA-256 failed");
}

/**
 * gen_hex:
 * @data: (array length=len): bytes
 * @len: length of @data
 * @out: room for 2 × @len + 1 characters
 *
 * Writes @data as lowercase hexadecimal, NUL-terminated.
 */
void
gen_hex (const guint8 *data,
         gsize         len,
         gchar        *out)
{
  static const gchar digits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0x0f];
    }
  out[2 * len] = '\0';
}

/**
 * gen_sha256_hex:
 * @data: (array length=len): bytes to hash
 * @len: length of @data
 * @out: (out caller-allocates): lowercase hex digest
 *
 * SHA-256 as 64 lowercase hex digits.
 */
void
gen_sha256_hex (const void *data,
                gsize       len,
                gchar       out[GEN_SHA256_HEX_LEN + 1])
{
  guint8 digest[32];

  gen_sha256 (data, len, digest);
  gen_hex (digest, sizeof digest, out);
}

/**
 * gen_sha256_ctx_hex:
 * @ctx: a SHA-256 context, finalised by this call
 * @out: (out caller-allocates): lowercase hex digest
 *
 * Finishes a streaming SHA-256 as 64 lowercase hex digits.
 */
void
gen_sha256_ctx_hex (EVP_MD_CTX *ctx,
                    gchar       out[GEN_SHA256_HEX_LEN + 1])
{
  guint8 digest[32];
  unsigned int digest_len = sizeof digest;

  if (!EVP_DigestFinal_ex (ctx, digest, &digest_len))
    g_error ("SHA-256 failed");
  gen_hex (digest, sizeof digest, out);
}

/**
 * gen_derive_bytes:
 * @seed: generator seed
 * @purpose: what the bytes are for ("key", "serial", …)
 * @label: which object they belong to
 * @out: (out caller-allocates): 32 derived bytes
 *
 * Derives bytes from the seed independently of the random stream, so that
 * certificates do not depend on the order of other random choices.
 */
void
gen_derive_bytes (guint64      seed,
                  const gchar *purpose,
                  const gchar *label,
                  guint8       out[32])
{
  g_autofree gchar *text = g_strdup_printf ("ntpac-gen/%s/%s/%" G_GUINT64_FORMAT,
                                            purpose, label, seed);

  gen_sha256 (text, strlen (text), out);
}

/**
 * gen_rand_chance:
 * @rand: random source
 * @probability: between 0 and 1
 *
 * Returns: %TRUE with the given probability; draws nothing when it is 0
 */
gboolean
gen_rand_chance (GRand   *rand,
                 gdouble  probability)
{
  if (probability <= 0.0)
    return FALSE;
  return g_rand_double (rand) < probability;
}

/**
 * gen_rand_range64:
 * @rand: random source
 * @begin: lowest value
 * @end: one past the highest value, greater than @begin
 *
 * Returns: a uniformly distributed value in [@begin, @end)
 */
gint64
gen_rand_range64 (GRand  *rand,
                  gint64  begin,
                  gint64  end)
{
  guint64 span = (guint64) (end - begin);
  guint64 value = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);

  g_assert (end > begin);
  return begin + (gint64) (value % span);
}

/**
 * gen_rand_weighted:
 * @rand: random source
 * @weights: (array length=n_weights): relative weights, not all zero
 * @n_weights: number of weights
 *
 * Returns: an index drawn with probability proportional to its weight
 */
guint
gen_rand_weighted (GRand       *rand,
                   const guint *weights,
                   guint        n_weights)
{
  guint total = 0;
  guint pick;

  for (guint i = 0; i < n_weights; i++)
    total += weights[i];
  g_assert (total > 0);

  pick = g_rand_int_range (rand, 0, total);
  for (guint i = 0; i < n_weights; i++)
    {
      if (pick < weights[i])
        return i;
      pick -= weights[i];
    }
  g_assert_not_reached ();
}

/**
 * gen_json_append_string:
 * @out: string to append to
 * @value: UTF-8 text
 *
 * Appends @value as a quoted JSON string.
 */
void
gen_json_append_string (GString     *out,
                        const gchar *value)
{
  g_string_append_c (out, '"');
  for (const gchar *p = value; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, c);
        }
      else if (c < 0x20)
        {
          g_string_append_printf (out, "\\u%04x", c);
        }
      else
        {
          g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

/**
 * gen_format_utc:
 * @unix_seconds: time
 * @format: g_date_time_format() format using numeric fields only
 * @out: (out caller-allocates): formatted time
 * @out_size: size of @out
 *
 * Formats a UTC time; numeric fields do not depend on the locale.
 */
void
gen_format_utc (gint64       unix_seconds,
                const gchar *format,
                gchar       *out,
                gsize        out_size)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);
  g_autofree gchar *text = g_date_time_format (time, format);

  g_strlcpy (out, text, out_size);
}

/**
 * gen_format_http_date:
 * @unix_seconds: time
 * @out: (out caller-allocates): IMF-fixdate, as "Fri, 01 Mar 2024 00:00:00 GMT"
 *
 * Formats an HTTP date (RFC 9110 §5.6.7) with English names whatever the
 * locale.
 */
void
gen_format_http_date (gint64 unix_seconds,
                      gchar  out[32])
{
  static const gchar *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const gchar *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov",
                                         "Dec" };
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  g_snprintf (out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT",
              days[g_date_time_get_day_of_week (time) - 1],
              g_date_time_get_day_of_month (time),
              months[g_date_time_get_month (time) - 1],
              g_date_time_get_year (time),
              g_date_time_get_hour (time),
              g_date_time_get_minute (time),
              g_date_time_get_second (time));
}
