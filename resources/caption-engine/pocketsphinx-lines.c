/*
 * pocketsphinx-lines: Spacecraft's default caption engine.
 *
 * Reads raw PCM (signed 16-bit little-endian, 16 kHz, mono) on stdin and
 * control JSON lines on fd 3 (when open), and writes JSON lines on stdout:
 *
 *   {"type":"ready"}
 *   {"type":"partial","utterance":N,"text":"…","words":[{"word":"…","start":s,"end":s,"confidence":c}],"start":s,"end":s}
 *   {"type":"final", …same fields}
 *   {"type":"error","message":"…"}
 *
 * Control lines: {"type":"addWord","word":"Zorblax","phones":"Z AO R B L AE K S"}
 *                {"type":"flush"}
 *
 * Times are seconds of audio since the engine started. Audio is never written
 * anywhere. Extra command-line arguments are PocketSphinx options (-hmm, -lm,
 * -dict, -vad_threshold, …); the Debian en-us model is the default.
 *
 * Added words become extra pronunciations of words the language model has (see
 * apply_pending_words): PocketSphinx 0.8 crashes scoring new language-model words.
 *
 * Utterances follow PocketSphinx's voice activity detector (ps_get_in_speech).
 * Word frames count from the start of the stream (silence included), so a
 * word's time is its frame number divided by the frame rate.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/err.h>

#define MODELDIR "/usr/share/pocketsphinx/model/en-us"
#define SAMPLE_RATE 16000
#define AUDIO_BUF_BYTES 16384
#define CONTROL_LINE_MAX 4096
#define WORD_MAX 64
#define PHONES_MAX 512
#define MAX_WORDS 512

static ps_decoder_t *ps;
static double frame_seconds = 0.01;
static long long samples_in = 0;   /* samples handed to the decoder so far */
static int utterance = 0;          /* number of the current utterance (from 1) */
static int in_utterance = 0;       /* speech reported since the last utterance ended */
static char last_partial[8192];

static const char *shown_word(const char *dict_word);

/* Copies a string, cut to fit (the callers check lengths first). */
static void copy_str(char *dst, size_t cap, const char *src) {
  size_t n = strnlen(src, cap - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* ---- output ------------------------------------------------------------ */

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t more) {
  if (b->len + more + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->len + more + 1) cap *= 2;
  char *data = realloc(b->data, cap);
  if (!data) {
    fputs("pocketsphinx-lines: out of memory\n", stderr);
    exit(70);
  }
  b->data = data;
  b->cap = cap;
}

static void buf_put(buf_t *b, const char *s, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void buf_str(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_printf(buf_t *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string literal: quotes, backslashes and control bytes escaped. */
static void buf_json_string(buf_t *b, const char *s) {
  buf_put(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') {
      char esc[2] = {'\\', (char)*p};
      buf_put(b, esc, 2);
    } else if (*p < 0x20 || *p == 0x7f) {
      buf_printf(b, "\\u%04x", *p);
    } else {
      buf_put(b, (const char *)p, 1);
    }
  }
  buf_put(b, "\"", 1);
}

static void emit(buf_t *b) {
  buf_put(b, "\n", 1);
  if (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0) exit(0); /* reader gone */
}

static void emit_error(const char *message) {
  buf_t b = {0};
  buf_str(&b, "{\"type\":\"error\",\"message\":");
  buf_json_string(&b, message);
  buf_str(&b, "}");
  emit(&b);
  free(b.data);
}

/* PocketSphinx logs: warnings and errors go to stderr, the chatty rest nowhere. */
static void log_filter(void *user_data, err_lvl_t level, const char *fmt, ...) {
  (void)user_data;
  if (level < ERR_WARN) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

/* ---- results ------------------------------------------------------------- */

/* A word worth showing: not silence, a sentence mark or a filler ([NOISE], ++UH++). */
static int is_spoken(const char *word) {
  return word[0] != '\0' && word[0] != '<' && word[0] != '[' && word[0] != '+';
}

/* Writes a partial or final result for the decoder's current hypothesis.
   Returns 0 when there was nothing to say. `only_if_changed` skips a partial
   whose text equals the previous one. */
static int emit_result(const char *kind, int only_if_changed) {
  logmath_t *lmath = ps_get_logmath(ps);
  buf_t text = {0}, words = {0};
  double first = -1, last = -1;
  int count = 0;
  buf_str(&text, "");
  for (ps_seg_t *seg = ps_seg_iter(ps); seg != NULL; seg = ps_seg_next(seg)) {
    const char *raw = ps_seg_word(seg);
    if (!raw || !is_spoken(raw)) continue;
    if (count >= MAX_WORDS) {
      ps_seg_free(seg);
      break;
    }
    char word[WORD_MAX * 2];
    const char *added = shown_word(raw);
    snprintf(word, sizeof word, "%s", added ? added : raw);
    char *alt = added ? NULL : strchr(word, '('); /* "read(2)": an alternative pronunciation */
    if (alt && alt != word) *alt = '\0';
    int sf = 0, ef = 0;
    ps_seg_frames(seg, &sf, &ef);
    int32 ascr = 0, lscr = 0, lback = 0;
    int32 prob = ps_seg_prob(seg, &ascr, &lscr, &lback);
    double confidence = logmath_exp(lmath, prob);
    if (!(confidence >= 0)) confidence = 0;
    if (confidence > 1) confidence = 1;
    /* Frames count from the start of the stream, silence included (measured against the
       speech onsets of flite audio: within 0.05 s), whatever utterances came between. */
    double start = sf * frame_seconds;
    double end = (ef + 1) * frame_seconds;
    if (first < 0) first = start;
    last = end;
    if (count > 0) {
      buf_str(&text, " ");
      buf_str(&words, ",");
    }
    buf_str(&text, word);
    buf_str(&words, "{\"word\":");
    buf_json_string(&words, word);
    buf_printf(&words, ",\"start\":%.2f,\"end\":%.2f,\"confidence\":%.3f}", start, end, confidence);
    count++;
  }
  int said = 0;
  if (count > 0 && !(only_if_changed && strcmp(text.data, last_partial) == 0)) {
    buf_t line = {0};
    buf_printf(&line, "{\"type\":\"%s\",\"utterance\":%d,\"text\":", kind, utterance);
    buf_json_string(&line, text.data);
    buf_str(&line, ",\"words\":[");
    buf_put(&line, words.data, words.len);
    buf_printf(&line, "],\"start\":%.2f,\"end\":%.2f}", first, last);
    emit(&line);
    free(line.data);
    snprintf(last_partial, sizeof last_partial, "%s", text.data);
    said = 1;
  }
  free(text.data);
  free(words.data);
  return said;
}

/* Words added while an utterance runs wait for its end: PocketSphinx's n-gram search
   cannot take a new word mid-utterance (it trips an assertion building the lattice). */
#define MAX_PENDING_WORDS 256
static struct {
  char word[WORD_MAX + 1];
  char phones[PHONES_MAX];
} pending[MAX_PENDING_WORDS];
static int pending_count = 0;

/* Phones of the default en-us model: words for it are checked before they are added. */
static const char *const EN_US_PHONES[] = {"AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D",  "DH", "EH", "ER", "EY",
                                           "F",  "G",  "HH", "IH", "IY", "JH", "K",  "L",  "M",  "N",  "NG", "OW", "OY",
                                           "P",  "R",  "S",  "SH", "SIL", "T", "TH", "UH", "UW", "V",  "W",  "Y",  "Z",  "ZH"};
static int default_model = 0;

static int known_phones(const char *phones) {
  if (!default_model) return 1; /* another model: PocketSphinx itself checks */
  char copy[PHONES_MAX];
  snprintf(copy, sizeof copy, "%s", phones);
  for (char *save = NULL, *ph = strtok_r(copy, " ", &save); ph; ph = strtok_r(NULL, " ", &save)) {
    int found = 0;
    for (size_t i = 0; i < sizeof EN_US_PHONES / sizeof EN_US_PHONES[0]; i++)
      if (strcmp(ph, EN_US_PHONES[i]) == 0) found = 1;
    if (!found) return 0;
  }
  return 1;
}

static void refuse(const char *word, const char *why) {
  buf_t b = {0};
  buf_str(&b, "the recogniser refused the word ");
  buf_str(&b, word);
  buf_str(&b, why);
  emit_error(b.data);
  free(b.data);
}

/* Added words. PocketSphinx 0.8 (5prealpha) crashes scoring words added to its binary
   language model (a read past the trie in lm_trie_score, after a few added words), so a
   new word never becomes a language-model word of its own: it enters the dictionary as
   another pronunciation ("peter(100)") of a word the model has, the word itself when it
   is known, else a first name (a new word is most often a name), and results show the
   word as it was added. */
#define MAX_ALIASES 2000
static const char *const NAME_WORDS[] = {"peter", "john", "mary", "david", "anna", "paul", "susan", "james"};
static struct {
  char alias[WORD_MAX + 16];
  char word[WORD_MAX + 1];
  char phones[PHONES_MAX];
} aliases[MAX_ALIASES];
static int alias_count = 0;
static int next_alternative = 100;

static const char *shown_word(const char *dict_word) {
  if (strchr(dict_word, '(') == NULL) return NULL;
  for (int i = 0; i < alias_count; i++)
    if (strcmp(aliases[i].alias, dict_word) == 0) return aliases[i].word;
  return NULL;
}

static int in_dictionary(const char *word) {
  char *found = ps_lookup_word(ps, word);
  if (!found) return 0;
  ckd_free(found);
  return 1;
}

/* Adds the waiting words. Rebuilding the search costs about 0.1 s, so it is done once,
   with the last word; the words are checked first so that last add does not fail. */
static void apply_pending_words(void) {
  int ok[MAX_PENDING_WORDS] = {0}, last = -1, accepted = 0;
  for (int i = 0; i < pending_count; i++) {
    int seen = 0;
    for (int j = 0; j < alias_count; j++)
      if (strcmp(aliases[j].word, pending[i].word) == 0 && strcmp(aliases[j].phones, pending[i].phones) == 0) seen = 1;
    for (int j = 0; j < i; j++)
      if (ok[j] && strcmp(pending[j].word, pending[i].word) == 0 && strcmp(pending[j].phones, pending[i].phones) == 0) seen = 1;
    if (seen) continue; /* already known with that pronunciation */
    if (!known_phones(pending[i].phones)) refuse(pending[i].word, ": a phone is not in the model's set");
    else if (alias_count + accepted >= MAX_ALIASES) refuse(pending[i].word, ": the vocabulary is full");
    else ok[i] = 1, last = i, accepted++;
  }
  for (int i = 0; i < pending_count; i++) {
    if (!ok[i] || alias_count >= MAX_ALIASES) continue;
    char lower[WORD_MAX + 1];
    size_t n = 0;
    for (; pending[i].word[n] && n < WORD_MAX; n++)
      lower[n] = (pending[i].word[n] >= 'A' && pending[i].word[n] <= 'Z') ? (char)(pending[i].word[n] + 32) : pending[i].word[n];
    lower[n] = '\0';
    const char *base = in_dictionary(lower) ? lower : NAME_WORDS[alias_count % (sizeof NAME_WORDS / sizeof NAME_WORDS[0])];
    char alias[WORD_MAX + 16];
    do snprintf(alias, sizeof alias, "%s(%d)", base, next_alternative++);
    while (in_dictionary(alias));
    if (ps_add_word(ps, alias, pending[i].phones, i == last) < 0) {
      refuse(pending[i].word, "");
      continue;
    }
    copy_str(aliases[alias_count].alias, sizeof aliases[alias_count].alias, alias);
    copy_str(aliases[alias_count].word, sizeof aliases[alias_count].word, pending[i].word);
    copy_str(aliases[alias_count].phones, sizeof aliases[alias_count].phones, pending[i].phones);
    alias_count++;
  }
  pending_count = 0;
}

static void start_utterance(void) {
  apply_pending_words();
  if (ps_start_utt(ps) < 0) {
    emit_error("the recogniser could not start an utterance");
    exit(1);
  }
}

/* Between utterances: the (empty) running utterance is ended and a new one started. */
static void restart_utterance(void) {
  ps_end_utt(ps);
  start_utterance();
}

/* Ends the current utterance (a final when anything was said) and starts the next. */
static void end_utterance(void) {
  ps_end_utt(ps);
  if (in_utterance) emit_result("final", 0);
  last_partial[0] = '\0';
  in_utterance = 0;
  start_utterance();
}

static void feed(const int16 *samples, size_t n) {
  if (n == 0) return;
  ps_process_raw(ps, samples, n, FALSE, FALSE);
  samples_in += (long long)n;
  int speech = ps_get_in_speech(ps);
  if (speech && !in_utterance) {
    in_utterance = 1;
    utterance++;
  }
  if (!in_utterance) return;
  if (!speech) end_utterance();
  else emit_result("partial", 1);
}

/* ---- control ------------------------------------------------------------- */

/* Finds "key":"value" in a flat JSON object and unescapes the value into out.
   Returns 0 when found and it fits, -1 otherwise. Only what the protocol needs. */
static int json_get_string(const char *line, const char *key, char *out, size_t cap) {
  char pattern[32];
  snprintf(pattern, sizeof pattern, "\"%s\"", key);
  const char *p = line;
  while ((p = strstr(p, pattern)) != NULL) {
    const char *q = p + strlen(pattern);
    while (*q == ' ' || *q == '\t') q++;
    if (*q != ':') {
      p = q;
      continue;
    }
    q++;
    while (*q == ' ' || *q == '\t') q++;
    if (*q != '"') return -1;
    q++;
    size_t n = 0;
    while (*q && *q != '"') {
      char c = *q++;
      if (c == '\\') {
        c = *q++;
        switch (c) {
          case '"': case '\\': case '/': break;
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          default: return -1; /* \u and friends: not needed in words or phones */
        }
      }
      if (n + 1 >= cap) return -1;
      out[n++] = c;
    }
    if (*q != '"') return -1;
    out[n] = '\0';
    return 0;
  }
  return -1;
}

static int valid_word(const char *w) {
  size_t n = strlen(w);
  if (n == 0 || n > WORD_MAX) return 0;
  for (const unsigned char *p = (const unsigned char *)w; *p; p++)
    if (*p <= ' ' || *p == '(' || *p == ')' || *p == '"' || *p == '\\' || *p == 0x7f) return 0;
  return is_spoken(w);
}

static int valid_phones(const char *ph) {
  size_t n = strlen(ph);
  if (n == 0 || n >= PHONES_MAX) return 0;
  for (const char *p = ph; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || *p == ' ')) return 0;
  return 1;
}

static void handle_control(const char *line) {
  char type[32];
  if (json_get_string(line, "type", type, sizeof type) < 0) {
    emit_error("a control line needs a \"type\"");
    return;
  }
  if (strcmp(type, "flush") == 0) {
    if (in_utterance) end_utterance();
    return;
  }
  if (strcmp(type, "addWord") == 0) {
    char word[WORD_MAX + 1], phones[PHONES_MAX];
    if (json_get_string(line, "word", word, sizeof word) < 0 || !valid_word(word)) {
      emit_error("addWord needs a \"word\": one to 64 characters, no spaces or brackets");
      return;
    }
    if (json_get_string(line, "phones", phones, sizeof phones) < 0 || !valid_phones(phones)) {
      emit_error("addWord needs \"phones\": upper-case phone names separated by spaces");
      return;
    }
    if (pending_count >= MAX_PENDING_WORDS) {
      emit_error("too many words waiting for the end of the utterance");
      return;
    }
    copy_str(pending[pending_count].word, sizeof pending[pending_count].word, word);
    copy_str(pending[pending_count].phones, sizeof pending[pending_count].phones, phones);
    pending_count++;
    return; /* applied after this batch of control lines (see main) */
  }
  emit_error("unknown control type");
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char *argv[]) {
  signal(SIGPIPE, SIG_IGN);
  err_set_callback(log_filter, NULL);
  err_set_logfp(NULL); /* the option table PocketSphinx prints at start-up goes nowhere */

  /* Search limits that cut the CPU per speaker by about 40 % with the same word error rate
     on the flite benchmark set (measured: test/bench/captions): at most 3000 active HMMs per
     frame and the 2 best Gaussians. Given on the command line, the user's values win. */
  static const char *const TUNING[][2] = {{"-maxhmmpf", "3000"}, {"-topn", "2"}};
  const char *args[64 + 2 * (sizeof TUNING / sizeof TUNING[0])];
  int n_args = 0;
  if (argc - 1 > 64) {
    emit_error("too many command-line options");
    return 2;
  }
  for (size_t t = 0; t < sizeof TUNING / sizeof TUNING[0]; t++) {
    int given = 0;
    for (int i = 1; i < argc; i++)
      if (strcmp(argv[i], TUNING[t][0]) == 0) given = 1;
    if (!given) {
      args[n_args++] = TUNING[t][0];
      args[n_args++] = TUNING[t][1];
    }
  }
  for (int i = 1; i < argc; i++) args[n_args++] = argv[i];
  cmd_ln_t *config = cmd_ln_parse_r(NULL, ps_args(), n_args, (char **)args, FALSE);
  if (config == NULL) {
    emit_error("bad PocketSphinx options on the command line");
    return 2;
  }
  if (cmd_ln_str_r(config, "-hmm") == NULL) {
    cmd_ln_set_str_r(config, "-hmm", MODELDIR "/en-us");
    default_model = 1;
  }
  if (cmd_ln_str_r(config, "-lm") == NULL && cmd_ln_str_r(config, "-jsgf") == NULL &&
      cmd_ln_str_r(config, "-kws") == NULL && cmd_ln_str_r(config, "-keyphrase") == NULL &&
      cmd_ln_str_r(config, "-fsg") == NULL && cmd_ln_str_r(config, "-allphone") == NULL)
    cmd_ln_set_str_r(config, "-lm", MODELDIR "/en-us.lm.bin");
  if (cmd_ln_str_r(config, "-dict") == NULL) cmd_ln_set_str_r(config, "-dict", MODELDIR "/cmudict-en-us.dict");

  ps = ps_init(config);
  if (ps == NULL) {
    emit_error("PocketSphinx could not load its model (is pocketsphinx-en-us installed?)");
    return 2;
  }
  int frate = cmd_ln_int32_r(config, "-frate");
  if (frate > 0) frame_seconds = 1.0 / frate;
  if ((int)cmd_ln_float32_r(config, "-samprate") != SAMPLE_RATE) {
    emit_error("the engine reads 16 kHz audio: -samprate must stay 16000");
    return 2;
  }
  start_utterance();

  int control_open = fcntl(3, F_GETFD) != -1;
  static int16 audio_samples[AUDIO_BUF_BYTES / 2 + 1]; /* aligned for the decoder */
  unsigned char *audio = (unsigned char *)audio_samples;
  size_t audio_have = 0; /* a trailing odd byte waits for its pair */
  static char control[CONTROL_LINE_MAX + 1];
  size_t control_have = 0;
  int control_overflow = 0;

  buf_t ready = {0};
  buf_str(&ready, "{\"type\":\"ready\"}");
  emit(&ready);
  free(ready.data);

  for (;;) {
    struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = control_open ? 3 : -1, .events = POLLIN}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    /* Control first, so a word added before some audio applies to it (the server sends the
       vocabulary before any audio when it starts or restarts the engine). */
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(3, control + control_have, CONTROL_LINE_MAX - control_have);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        control_open = 0;
      } else {
        control_have += (size_t)n;
        control[control_have] = '\0';
        char *start = control, *nl;
        while ((nl = memchr(start, '\n', control_have - (size_t)(start - control))) != NULL) {
          *nl = '\0';
          if (control_overflow) control_overflow = 0; /* the rest of an oversized line */
          else if (nl > start) handle_control(start);
          start = nl + 1;
        }
        /* Words added between utterances apply at once, in speech when the utterance ends. */
        if (pending_count > 0 && !in_utterance) restart_utterance();
        control_have -= (size_t)(start - control);
        memmove(control, start, control_have);
        if (control_have == CONTROL_LINE_MAX) {
          emit_error("a control line is longer than 4096 bytes");
          control_overflow = 1;
          control_have = 0;
        }
        continue; /* control before audio: poll again, audio waits until control is drained */
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(0, audio + audio_have, AUDIO_BUF_BYTES - audio_have);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break; /* end of audio */
      audio_have += (size_t)n;
      size_t whole = audio_have & ~(size_t)1;
      /* s16le: on a little-endian machine the bytes are the samples */
      feed(audio_samples, whole / 2);
      audio_have -= whole;
      if (audio_have) audio[0] = audio[whole];
    }
  }
  if (in_utterance) end_utterance();
  ps_end_utt(ps);
  ps_free(ps);
  cmd_ln_free_r(config);
  return 0;
}
