/*
 * manifest_net_parse.c — the manifest's network keys (kernel/
 * manifest_net.c) in the CLI; see images/bundle_parse.c.
 */
#include "../kernel/manifest_net.c"
