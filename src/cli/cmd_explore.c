/* SPDX-License-Identifier: MIT */
/* `ketasim explore`: a local web page for teaching, where dose, route, infusion length, schedule
 * and therapy timing are controls and the chain (concentrations, NMDA block, glutamate, mTORC1,
 * spines, window, fear memory, CAPS-5) redraws for one virtual patient.
 *
 * The server (libmicrohttpd, one internal polling thread, requests handled one at a time) binds
 * the loopback address unless --host names another and --allow-remote says so. GET / is the page
 * (src/cli/explore_page.c, self-contained: no script or font from elsewhere); GET /api/chain?...
 * builds a one-arm scenario from the controls, simulates patient 1 through every layer with the
 * public API (ks_trial_patient_trace) and answers JSON; anything else is 400, 404 or 405, and a
 * malformed or oversized request never reaches the model. Uses the public API only. */
#include <ketasim/ketasim.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ks_cli_explore(int argc, char **argv);
extern const char ks_explore_page_html[];

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

/* ---- a growing text buffer (answers are built whole, then handed to the server) ---- */
typedef struct {
  char *p;
  size_t n, cap;
  int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
      b->oom = 1;
      return;
    }
    if (b->p && b->n + (size_t)k < b->cap) {
      b->n += (size_t)k;
      return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap <= b->n + (size_t)k) cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) {
      b->oom = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
}

/* ---- the controls ---- */
typedef struct {
  char drug[16], route[16];
  double dose;          /* mg/kg (mg for intranasal esketamine) */
  double infusion_min;  /* iv only; 0 for a bolus */
  int n_doses;
  double every_d;       /* days between doses */
  int therapy_day;      /* sessions this many days after each dose (0: the same day); -1: none */
  int days;             /* follow-up horizon */
} controls;

static int one_of(const char *v, const char *const *set, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(v, set[i]) == 0) return 1;
  return 0;
}

/* Read a number control; 0 and a message in ERR when it is missing, not a number, or out of range. */
static int num_arg(struct MHD_Connection *c, const char *key, double def, double lo, double hi, double *out,
                   char *err, size_t n) {
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
  if (!v || !*v) {
    *out = def;
    return 1;
  }
  char *end = NULL;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi) {
    snprintf(err, n, "%s: expected a number from %g to %g", key, lo, hi);
    return 0;
  }
  *out = x;
  return 1;
}

static int read_controls(struct MHD_Connection *c, controls *k, char *err, size_t n) {
  static const char *const drugs[] = {"ketamine", "esketamine", "midazolam"};
  static const char *const routes[] = {"iv", "im", "intranasal", "oral", "sublingual", "rectal"};
  const char *d = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "drug");
  const char *r = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "route");
  d = d ? d : "ketamine";
  r = r ? r : "iv";
  if (!one_of(d, drugs, 3)) return snprintf(err, n, "drug: expected ketamine, esketamine or midazolam"), 0;
  if (!one_of(r, routes, 6)) return snprintf(err, n, "route: expected iv, im, intranasal, oral, sublingual or rectal"), 0;
  snprintf(k->drug, sizeof k->drug, "%s", d);
  snprintf(k->route, sizeof k->route, "%s", r);
  double nd, th, days;
  if (!num_arg(c, "dose", 0.5, 0.001, 200.0, &k->dose, err, n) ||
      !num_arg(c, "infusion", 40.0, 0.0, 240.0, &k->infusion_min, err, n) ||
      !num_arg(c, "n", 1.0, 1.0, 24.0, &nd, err, n) || !num_arg(c, "every", 2.0, 0.5, 35.0, &k->every_d, err, n) ||
      !num_arg(c, "therapy", -1.0, -1.0, 7.0, &th, err, n) || !num_arg(c, "days", 28.0, 7.0, 180.0, &days, err, n))
    return 0;
  if (strcmp(k->route, "iv") != 0) k->infusion_min = 0.0;
  k->n_doses = (int)nd;
  k->therapy_day = (int)th;
  k->days = (int)days;
  return 1;
}

/* The one-arm scenario of the controls, as YAML text. */
static void scenario_text(const controls *k, sbuf *y) {
  int per_mg = strcmp(k->drug, "esketamine") == 0 && strcmp(k->route, "intranasal") == 0;
  sb_printf(y, "ketasim: 1\nname: explore\nseed: 1\npopulation: {n: 1, preset: civilian-chronic-ptsd}\n"
               "design: single-arm\narms:\n  - name: %s\n    regimen:\n      - {drug: %s, route: %s, dose: %g %s",
            k->drug, k->drug, k->route, k->dose, per_mg ? "mg" : "mg/kg");
  if (k->infusion_min > 0) sb_printf(y, ", infusion: %g min", k->infusion_min);
  sb_printf(y, ", days: [");
  for (int i = 0; i < k->n_doses; i++) sb_printf(y, "%s%g", i ? ", " : "", 1.0 + i * k->every_d);
  sb_printf(y, "]}\n");
  if (k->therapy_day >= 0) {
    sb_printf(y, "    therapy:\n      - {kind: prolonged-exposure, minutes: 90, days: [");
    int last = -1, first = 1;
    for (int i = 0; i < k->n_doses; i++) {
      int day = (int)floor(1.0 + i * k->every_d) + k->therapy_day;
      if (day == last || day > k->days) continue;
      sb_printf(y, "%s%d", first ? "" : ", ", day);
      last = day;
      first = 0;
    }
    sb_printf(y, "]}\n");
  }
  sb_printf(y, "assessments: {caps5: [0, 1, 7, 14");
  for (int d = 21; d <= k->days; d += 7) sb_printf(y, ", %d", d);
  sb_printf(y, "]}\nfollowup: {days: %d}\nendpoints:\n  primary: {scale: caps5, day: 14}\n", k->days);
}

/* One series of the answer: COLUMN of the trace table TABLE, at most ~600 points, time in days. */
static void series(sbuf *o, const ks_trial_trace *tr, const char *table, const char *column, const char *label,
                   const char *unit, int *first) {
  const ks_trace_table *t = ks_trial_trace_find(tr, table);
  if (!t) return;
  int c = ks_trace_table_column(t, column), ct = ks_trace_table_column(t, "t_h");
  if (c < 0 || ct < 0) return; /* a column this model version does not have: left out */
  size_t stride = t->n_rows > 600 ? (t->n_rows + 599) / 600 : 1;
  sb_printf(o, "%s{\"name\":\"%s\",\"label\":\"%s\",\"unit\":\"%s\",\"t_d\":[", *first ? "" : ",", column, label, unit);
  for (size_t i = 0, k = 0; i < t->n_rows; i += stride, k++)
    sb_printf(o, "%s%.5g", k ? "," : "", t->data[i * t->n_cols + (size_t)ct] / 24.0);
  sb_printf(o, "],\"y\":[");
  for (size_t i = 0, k = 0; i < t->n_rows; i += stride, k++) {
    double v = t->data[i * t->n_cols + (size_t)c];
    if (isfinite(v)) sb_printf(o, "%s%.6g", k ? "," : "", v);
    else sb_printf(o, "%snull", k ? "," : "");
  }
  sb_printf(o, "]}");
  *first = 0;
}

static void json_escape(sbuf *o, const char *s) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') sb_printf(o, "\\%c", ch);
    else if (ch < 0x20) sb_printf(o, "\\u%04x", ch);
    else sb_printf(o, "%c", ch);
  }
}

/* Simulate the controls' patient; *code is the HTTP status (200, 400 for a refused regimen, 500). */
static void chain_json(const controls *k, sbuf *o, unsigned *code) {
  sbuf y = {0};
  scenario_text(k, &y);
  ks_ctx *ctx = NULL;
  ks_scenario *sc = NULL;
  ks_trial_trace *tr = NULL;
  ks_ctx_opts co = ks_ctx_opts_default();
  co.log_level = KS_LOG_ERROR;
  co.n_threads = 1;
  ks_status st = y.oom ? KS_ENOMEM : ks_ctx_create(&co, &ctx);
  if (st == KS_OK) st = ks_scenario_load_string(ctx, "explore", y.p, y.n, &sc);
  if (st == KS_OK) st = ks_trial_patient_trace(ctx, sc, NULL, 1, -1, &tr);
  if (st != KS_OK) {
    *code = st == KS_EINPUT || st == KS_ERANGE ? 400 : 500;
    sb_printf(o, "{\"error\":\"");
    json_escape(o, ctx ? ks_ctx_last_error(ctx) : "out of memory");
    sb_printf(o, "\"}");
  } else {
    static const struct { const char *table, *column, *label, *unit; } want[] = {
        {"pk", "plasma_s_ketamine_ng_per_mL", "S-ketamine, plasma", "ng/mL"},
        {"pk", "plasma_s_norketamine_ng_per_mL", "S-norketamine, plasma", "ng/mL"},
        {"pk", "plasma_midazolam_ng_per_mL", "midazolam, plasma", "ng/mL"},
        {"cascade", "block_interneuron", "NMDA block, interneurons", "fraction"},
        {"cascade", "glutamate", "glutamate release", "x baseline"},
        {"cascade", "mtorc1", "mTORC1", "x baseline"},
        {"cascade", "spine_pfc", "PFC spine density", "x healthy"},
        {"cascade", "window", "window of plasticity", "0-1"},
        {"fear", "fear_expression", "trauma-memory expression", "0-1"},
        {"visits", "caps5", "CAPS-5", "points"},
    };
    int first = 1;
    sb_printf(o, "{\"scenario\":\"");
    json_escape(o, y.p);
    sb_printf(o, "\",\"series\":[");
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
      series(o, tr, want[i].table, want[i].column, want[i].label, want[i].unit, &first);
    sb_printf(o, "]}");
    *code = 200;
  }
  ks_trial_trace_destroy(&tr);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  free(y.p);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body, size_t n,
                             int owned) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(n, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!r) {
    if (owned) free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = MHD_queue_response(c, code, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *msg) {
  sbuf o = {0};
  sb_printf(&o, "{\"error\":\"");
  json_escape(&o, msg);
  sb_printf(&o, "\"}");
  if (o.oom) {
    free(o.p);
    return MHD_NO;
  }
  return reply(c, code, "application/json", o.p, o.n, 1);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_n, void **state) {
  (void)cls, (void)version, (void)upload;
  if (!*state) { /* first call for this request: headers only */
    *state = (void *)1;
    return MHD_YES;
  }
  if (*upload_n) { /* a body on a GET: refuse (never read into the model) */
    *upload_n = 0;
    return MHD_YES;
  }
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) return reply_error(c, 405, "only GET is served");
  if (strcmp(url, "/") == 0)
    return reply(c, 200, "text/html; charset=utf-8", (char *)ks_explore_page_html, strlen(ks_explore_page_html), 0);
  if (strcmp(url, "/api/chain") != 0) return reply_error(c, 404, "no such page (expected / or /api/chain)");
  controls k;
  char err[160];
  if (!read_controls(c, &k, err, sizeof err)) return reply_error(c, 400, err);
  sbuf o = {0};
  unsigned code = 500;
  chain_json(&k, &o, &code);
  if (o.oom) {
    free(o.p);
    return reply_error(c, 500, "out of memory");
  }
  return reply(c, code, "application/json", o.p, o.n, 1);
}

static void usage(FILE *f) {
  fputs("usage: ketasim explore [--port N] [--host ADDR [--allow-remote]]\n"
        "Serves a page where dose, route, infusion, schedule and therapy timing are controls and the\n"
        "chain from concentrations to CAPS-5 redraws for one virtual patient. Stops on Ctrl-C.\n"
        "  --port N         the port (default 8765; 0 picks a free one, printed on start)\n"
        "  --host ADDR      the IPv4 address to bind (default 127.0.0.1, loopback)\n"
        "  --allow-remote   allow a non-loopback --host (the page then serves other machines)\n"
        "  --help           show this help and exit\n",
        f);
}

int ks_cli_explore(int argc, char **argv) {
  static const struct option opts[] = {{"port", required_argument, 0, 'p'}, {"host", required_argument, 0, 'H'},
                                       {"allow-remote", no_argument, 0, 'R'}, {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  long port = 8765;
  const char *host = "127.0.0.1";
  int allow_remote = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
      case 'p':
        port = strtol(optarg, &end, 10);
        if (!*optarg || *end || port < 0 || port > 65535) {
          fprintf(stderr, "ketasim: --port: expected a port number 0-65535\n");
          return 2;
        }
        break;
      case 'H': host = optarg; break;
      case 'R': allow_remote = 1; break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "ketasim: explore: unexpected argument \"%s\" (expected options only)\n", argv[optind]);
    return 2;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "ketasim: --host: \"%s\" is not an IPv4 address (expected e.g. 127.0.0.1)\n", host);
    return 2;
  }
  if ((ntohl(addr.sin_addr.s_addr) >> 24) != 127 && !allow_remote) {
    fprintf(stderr, "ketasim: --host: %s is not a loopback address (expected 127.x.x.x, or add --allow-remote "
                    "to serve other machines)\n", host);
    return 2;
  }
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)10, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "ketasim: explore: cannot listen on %s:%ld (in use, or not allowed)\n", host, port);
    return 1;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("ketasim: explore at http://%s:%u/ (Ctrl-C to stop)\n", host, info ? info->port : (unsigned)port);
  fflush(stdout);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  while (!g_stop) usleep(100000); /* a signal ends the wait within 0.1 s */
  MHD_stop_daemon(d);
  fprintf(stderr, "ketasim: explore stopped\n");
  return 0;
}
