/* stream_corpus [frames] > file: the stream benchmarks' corpus (stream_corpus.h), one frame per line.
 * Prints "corpus <frames> frames <bytes> bytes price_change <n> last_trade_price <n> book <n>" on stderr. */
#include <stdlib.h>
#include "stream_corpus.h"

int main(int argc, char **argv) {
    unsigned long long frames = argc > 1 ? strtoull(argv[1], NULL, 10) : SC_DEFAULT_FRAMES;
    static char buf[SC_FRAME_MAX];
    unsigned long long bytes = 0, kinds[3] = {0, 0, 0};
    for (unsigned long long i = 0; i < frames; i++) {
        size_t n = sc_frame(i, buf, sizeof buf);
        if (n == 0) { fprintf(stderr, "frame %llu does not fit\n", i); return 1; }
        buf[n] = '\n';
        if (fwrite(buf, 1, n + 1, stdout) != n + 1) { perror("write"); return 1; }
        bytes += n;
        kinds[sc_frame_kind(i)]++;
    }
    fprintf(stderr, "corpus %llu frames %llu bytes price_change %llu last_trade_price %llu book %llu\n",
            frames, bytes, kinds[0], kinds[1], kinds[2]);
    return 0;
}
