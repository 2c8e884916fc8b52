/* make-x509-corpus.c: seed inputs for fuzz-x509
 *
 * make-x509-corpus DIR   writes DER certificates made and signed with
 *                        OpenSSL (tls-test-builder.c): a self-signed root,
 *                        an intermediate with an escaped comma in its
 *                        subject and a validity past 2049 (GeneralizedTime),
 *                        leaves with UTF-8 names, DNS and IP (v4 and v6)
 *                        subjectAltNames, a long serial, no SAN; and a
 *                        certificate cut short and one followed by a byte,
 *                        which the wrapper must refuse.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include <glib.h>
#include <glib/gstdio.h>

#include "tls-test-builder.h"

static void
write_file (const gchar  *dir,
            const gchar  *name,
            const guint8 *data,
            gsize         len)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const gchar *) data, len, &error))
    g_error ("%s", error->message);
}

static void
write_der (const gchar *dir,
           const gchar *name,
           GBytes      *der)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (der, &len);

  write_file (dir, name, data, len);
}

int
main (int    argc,
      char **argv)
{
  static const gchar *const root_subject[] = { "CN", "Fuzz Root CA", NULL };
  static const gchar *const intermediate_subject[] = {
    "C", "CZ", "O", "Fuzz, Inc.", "OU", "Certificates + \"quotes\"", "CN", "Fuzz Intermediate",
    NULL,
  };
  static const gchar *const leaf_subject[] = {
    "O", "Fuzz Org", "CN", "B\xc3\xbc" "cher.example.com", NULL,
  };
  static const gchar *const plain_subject[] = { "CN", "plain.example.net", NULL };
  const TbCertSpec root_spec = {
    root_subject, "01", 1672531200, 2840140800, NULL,
  };
  const TbCertSpec intermediate_spec = {
    intermediate_subject, "0A1B2C3D4E5F", 1704067200, 2570428800, NULL,
  };
  const TbCertSpec leaf_spec = {
    leaf_subject, "1F2E3D4C5B6A79881234567890ABCDEF", 1709251200, 1740832496,
    "DNS:www.example.com,DNS:*.example.com,IP:192.0.2.7,IP:2001:db8::7",
  };
  const TbCertSpec plain_spec = {
    plain_subject, "7F", 1700000000, 1800000000, NULL,
  };
  g_autoptr(EVP_PKEY) root_key = NULL;
  g_autoptr(EVP_PKEY) intermediate_key = NULL;
  g_autoptr(EVP_PKEY) leaf_key = NULL;
  g_autoptr(X509) root = NULL;
  g_autoptr(X509) intermediate = NULL;
  g_autoptr(X509) leaf = NULL;
  g_autoptr(X509) plain = NULL;
  g_autoptr(GBytes) root_der = NULL;
  g_autoptr(GBytes) intermediate_der = NULL;
  g_autoptr(GBytes) leaf_der = NULL;
  g_autoptr(GBytes) plain_der = NULL;
  g_autoptr(GByteArray) longer = g_byte_array_new ();
  const guint8 *data;
  gsize len;

  if (argc != 2)
    g_error ("usage: make-x509-corpus DIR");
  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    g_error ("cannot create %s", argv[1]);

  root_key = tb_key (21);
  intermediate_key = tb_key (22);
  leaf_key = tb_key (23);
  root = tb_make_certificate (&root_spec, root_key, NULL, root_key);
  intermediate = tb_make_certificate (&intermediate_spec, intermediate_key, root, root_key);
  leaf = tb_make_certificate (&leaf_spec, leaf_key, intermediate, intermediate_key);
  plain = tb_make_certificate (&plain_spec, leaf_key, root, root_key);
  root_der = tb_certificate_der (root);
  intermediate_der = tb_certificate_der (intermediate);
  leaf_der = tb_certificate_der (leaf);
  plain_der = tb_certificate_der (plain);

  write_der (argv[1], "root.der", root_der);
  write_der (argv[1], "intermediate.der", intermediate_der);
  write_der (argv[1], "leaf.der", leaf_der);
  write_der (argv[1], "plain.der", plain_der);

  data = g_bytes_get_data (leaf_der, &len);
  write_file (argv[1], "leaf-cut.der", data, len / 2);
  g_byte_array_append (longer, data, len);
  g_byte_array_append (longer, (const guint8 *) "\x00", 1);
  write_file (argv[1], "leaf-longer.der", longer->data, longer->len);
  return 0;
}
