/*
 * omen's dev Kafka broker: librdkafka's in-process mock cluster, kept alive as a process.
 *
 *   omen-kafka-broker BOOTSTRAPS_FILE [TOPICS_FILE] [BROKER_COUNT]
 *
 * TOPICS_FILE holds one "name partitions" pair per line; @omen/stack writes it from topics.yaml
 * so this side stays trivial (no YAML here). The bootstrap list ("127.0.0.1:P1,127.0.0.1:P2,...")
 * is written to BOOTSTRAPS_FILE once every topic exists, via rename so a reader never sees half.
 *
 * Limits of librdkafka 2.0.2's mock that callers must know:
 *  - listen ports are random (the API has no way to choose them), hence the bootstraps file;
 *  - everything lives in memory: a restart loses every record and committed offset;
 *  - no CreateTopics, DeleteTopics, ListGroups, DescribeGroups; unknown topics are auto-created
 *    by Metadata requests that allow it (4 partitions, the mock's built-in default);
 *  - retention and cleanup.policy are not enforced.
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
                char name[512];
                int partitions;
                lineno++;
                if (line[0] == '\n' || line[0] == '#')
                        continue;
                if (sscanf(line, "%511s %d", name, &partitions) != 2 || partitions < 1) {
                        fprintf(stderr, "omen-kafka-broker: %s:%d: expected \"name partitions\"\n",
                                path, lineno);
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
