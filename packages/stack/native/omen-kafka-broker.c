/*
 * omen's dev Kafka broker: librdkafka's in-process mock cluster, kept alive as a process.
 *
 *   omen-kafka-broker BOOTSTRAPS_FILE [TOPICS_FILE] [BROKER_COUNT]
 *
 * TOPICS_FILE holds one "name partitions [groups]" line per topic, groups comma-separated or "-";
 * @omen/stack writes it from topics.yaml so this side stays trivial (no YAML here). The bootstrap
 * list ("127.0.0.1:P1,127.0.0.1:P2,...") is written to BOOTSTRAPS_FILE once every topic exists,
 * via rename so a reader never sees half.
 *
 * Linked against librdkafka 2.0.2 patched by librdkafka-2.0.2-omen.patch, whose knobs this sets
 * from the environment before the cluster exists (README.md beside this file):
 *   OMEN_KAFKA_PARTITION_MAX_BYTES    bytes of record batches one partition keeps (1 GiB)
 *   OMEN_KAFKA_PARTITION_MAX_BATCHES  record batches one partition keeps (2,000,000)
 *   OMEN_KAFKA_WHEN_FULL              "refuse" (default): delete only what every group named for the
 *                                     topic committed, refuse produces beyond (KAFKA_STORAGE_ERROR,
 *                                     retriable); "delete-oldest": delete the oldest batches whoever
 *                                     read them, like a real Kafka's retention.bytes
 *
 * Limits of librdkafka 2.0.2's mock that callers must know:
 *  - listen ports are random (the API has no way to choose them), hence the bootstraps file;
 *  - everything lives in memory: a restart loses every record and committed offset;
 *  - no CreateTopics, DeleteTopics, ListGroups, DescribeGroups; unknown topics are auto-created
 *    by Metadata requests that allow it (4 partitions, the mock's built-in default);
 *  - retention (time) and cleanup.policy are not enforced; only the size limits above are.
 * Runs until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

/* The patch's knobs (librdkafka-2.0.2-omen.patch). */
extern size_t rd_kafka_mock_omen_max_size;
extern size_t rd_kafka_mock_omen_max_cnt;
extern int rd_kafka_mock_omen_delete_uncommitted;
extern const char *const *(*rd_kafka_mock_omen_retained_for)(const char *topic);

/* Topic → the groups it is retained for, NULL-terminated; filled before the cluster runs and
 * read-only afterwards, so the mock's thread needs no lock. */
struct retained {
        char *topic;
        char **groups;
};
static struct retained *retained_topics = NULL;
static int retained_cnt = 0;

static const char *const *retained_for(const char *topic) {
        for (int i = 0; i < retained_cnt; i++)
                if (!strcmp(retained_topics[i].topic, topic))
                        return (const char *const *)retained_topics[i].groups;
        return NULL;
}

static int add_retained(const char *topic, const char *groups_csv) {
        struct retained *grown = realloc(retained_topics, sizeof(*grown) * (retained_cnt + 1));
        if (!grown)
                return -1;
        retained_topics = grown;
        int n = 1;
        for (const char *c = groups_csv; *c; c++)
                n += *c == ',';
        char **groups = calloc(n + 1, sizeof(*groups));
        char *copy = strdup(groups_csv);
        char *topic_copy = strdup(topic);
        if (!groups || !copy || !topic_copy)
                return -1;
        int i = 0;
        for (char *save = NULL, *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save))
                groups[i++] = g;
        retained_topics[retained_cnt].topic = topic_copy;
        retained_topics[retained_cnt].groups = groups;
        retained_cnt++;
        return 0;
}

/* A positive size from the environment, or the default; -1 (after saying why) when malformed. */
static long long env_size(const char *name, long long fallback) {
        const char *v = getenv(name);
        if (!v || !*v)
                return fallback;
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno || *end || n < 1) {
                fprintf(stderr, "omen-kafka-broker: %s must be a positive integer, got \"%s\"\n", name, v);
                return -1;
        }
        return n;
}

static int configure_limits(void) {
        long long max_bytes = env_size("OMEN_KAFKA_PARTITION_MAX_BYTES", 1LL << 30);
        long long max_batches = env_size("OMEN_KAFKA_PARTITION_MAX_BATCHES", 2000000);
        const char *when_full = getenv("OMEN_KAFKA_WHEN_FULL");
        if (max_bytes < 0 || max_batches < 0)
                return -1;
        if (!when_full || !*when_full)
                when_full = "refuse";
        if (strcmp(when_full, "refuse") && strcmp(when_full, "delete-oldest")) {
                fprintf(stderr, "omen-kafka-broker: OMEN_KAFKA_WHEN_FULL must be refuse or delete-oldest, got \"%s\"\n",
                        when_full);
                return -1;
        }
        rd_kafka_mock_omen_max_size = (size_t)max_bytes;
        rd_kafka_mock_omen_max_cnt = (size_t)max_batches;
        rd_kafka_mock_omen_delete_uncommitted = !strcmp(when_full, "delete-oldest");
        rd_kafka_mock_omen_retained_for = retained_for;
        fprintf(stderr, "omen-kafka-broker: a partition keeps up to %lld bytes in %lld record batches; when full: %s\n",
                max_bytes, max_batches, when_full);
        return 0;
}

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static int create_topics(rd_kafka_mock_cluster_t *mcluster, const char *path) {
        FILE *f = fopen(path, "r");
        if (!f) {
                fprintf(stderr, "omen-kafka-broker: cannot open topics file %s: %s\n", path,
                        strerror(errno));
                return -1;
        }
        char line[1024];
        int lineno = 0, created = 0;
        while (fgets(line, sizeof(line), f)) {
                char name[512], groups[512] = "-";
                int partitions;
                lineno++;
                if (line[0] == '\n' || line[0] == '#')
                        continue;
                if (sscanf(line, "%511s %d %511s", name, &partitions, groups) < 2 || partitions < 1) {
                        fprintf(stderr, "omen-kafka-broker: %s:%d: expected \"name partitions [groups]\"\n",
                                path, lineno);
                        fclose(f);
                        return -1;
                }
                if (strcmp(groups, "-") && add_retained(name, groups) != 0) {
                        fprintf(stderr, "omen-kafka-broker: out of memory\n");
                        fclose(f);
                        return -1;
                }
                /* Replication factor 3 over 3 brokers: leaders spread, like a real cluster. */
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, name, partitions, 3);
                if (err) {
                        fprintf(stderr, "omen-kafka-broker: create topic %s: %s\n", name,
                                rd_kafka_err2str(err));
                        fclose(f);
                        return -1;
                }
                created++;
        }
        fclose(f);
        fprintf(stderr, "omen-kafka-broker: created %d topics from %s\n", created, path);
        return 0;
}

static int write_bootstraps(const char *path, const char *bootstraps) {
        char tmp[4096];
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
                return -1;
        FILE *f = fopen(tmp, "w");
        if (!f)
                return -1;
        fprintf(f, "%s\n", bootstraps);
        if (fclose(f) != 0)
                return -1;
        return rename(tmp, path);
}

int main(int argc, char **argv) {
        if (argc < 2 || argc > 4) {
                fprintf(stderr, "usage: %s BOOTSTRAPS_FILE [TOPICS_FILE] [BROKER_COUNT]\n", argv[0]);
                return 2;
        }
        const char *bootstraps_file = argv[1];
        const char *topics_file = argc >= 3 ? argv[2] : NULL;
        int broker_cnt = argc >= 4 ? atoi(argv[3]) : 3;
        if (broker_cnt < 1) {
                fprintf(stderr, "omen-kafka-broker: BROKER_COUNT must be >= 1, got %s\n", argv[3]);
                return 2;
        }

        if (configure_limits() != 0)
                return 2;

        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        /* Blocked here and only let through inside sigsuspend(): no window where a signal lands
         * between the flag check and the wait. librdkafka's threads inherit the blocked mask. */
        sigset_t blocked, waitmask;
        sigemptyset(&blocked);
        sigaddset(&blocked, SIGTERM);
        sigaddset(&blocked, SIGINT);
        sigprocmask(SIG_BLOCK, &blocked, &waitmask);
        sigdelset(&waitmask, SIGTERM);
        sigdelset(&waitmask, SIGINT);

        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* Level 5 would only note that this handle has no bootstrap.servers, which is intended. */
        if (rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
                fprintf(stderr, "omen-kafka-broker: log_level: %s\n", errstr);
        /* The handle only hosts the mock cluster's thread; it never talks to a broker itself. */
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "omen-kafka-broker: rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mcluster) {
                fprintf(stderr, "omen-kafka-broker: rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }
        if (topics_file && create_topics(mcluster, topics_file) != 0) {
                rd_kafka_mock_cluster_destroy(mcluster);
                rd_kafka_destroy(rk);
                return 1;
        }
        const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
        if (write_bootstraps(bootstraps_file, bootstraps) != 0) {
                fprintf(stderr, "omen-kafka-broker: cannot write %s: %s\n", bootstraps_file,
                        strerror(errno));
                rd_kafka_mock_cluster_destroy(mcluster);
                rd_kafka_destroy(rk);
                return 1;
        }
        fprintf(stderr, "omen-kafka-broker: librdkafka %s, %d brokers at %s\n", rd_kafka_version_str(),
                broker_cnt, bootstraps);

        while (!stop_requested)
                sigsuspend(&waitmask);

        fprintf(stderr, "omen-kafka-broker: stopping\n");
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
