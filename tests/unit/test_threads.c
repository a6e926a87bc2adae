/*
 * Walks on several threads at once give the answers they give one at a time:
 * per-walk state lives in the caller's STACKFRAME64 and in thread-local
 * caches, never in shared globals. Threads walk their own targets and, at
 * the same time, one shared target.
 */
#include "walk_helpers.h"

#include <pthread.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 300

struct job {
    struct fake_target *target;
    struct x64_chain *chain;
    unsigned wrong;
};

static struct fake_target shared_target;
static struct x64_function shared_functions[2];
static struct x64_chain shared_chain;

static void build(struct fake_target *t, struct x64_function *f, struct x64_chain *c,
                  unsigned variant)
{
    const struct x64_spec callee = {
        .prolog = {{OP_PUSH, RSI, 0}, {OP_PUSH, RDI, 0}, {OP_ALLOC, 0, 0x28 + 0x10 * variant}},
        .prolog_count = 3,
        .calls = 1,
    };
    test_target_init(t);
    x64_emit(t, &f[0], &spec_caller, 0x1000 + 0x100 * variant, 0x8000);
    x64_emit(t, &f[1], &callee, 0x2000, 0x8100);
    memset(c, 0, sizeof(*c));
    c->depth = 40;
    for (unsigned i = 0; i < c->depth; i++)
        c->functions[i] = &f[(i + variant) % 2];
    c->position = c->functions[0]->call_insn[0];
    x64_chain_build(t, c, TEST_STACK_TOP - 0x100 * variant);
}

static void *walker(void *arg)
{
    struct job *job = arg;
    for (unsigned r = 0; r < ROUNDS; r++) {
        char why[200];
        struct job *which = r % 2 ? job : &(struct job){&shared_target, &shared_chain, 0};
        if (!check_chain_walk(which->target, which->chain, why, sizeof(why)))
            job->wrong++;
    }
    return NULL;
}

static void concurrent_walks(void **state)
{
    (void)state;
    struct fake_target targets[THREADS];
    struct x64_function functions[THREADS][2];
    static struct x64_chain chains[THREADS];
    struct job jobs[THREADS];
    pthread_t threads[THREADS];

    build(&shared_target, shared_functions, &shared_chain, 0);
    for (unsigned i = 0; i < THREADS; i++) {
        build(&targets[i], functions[i], &chains[i], i + 1);
        jobs[i] = (struct job){&targets[i], &chains[i], 0};
    }
    for (unsigned i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, walker, &jobs[i]), 0);
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(jobs[i].wrong, 0);
        ft_free(&targets[i]);
    }
    ft_free(&shared_target);
}

/* Two walks interleaved on one thread, frame by frame: each keeps its own
 * state in its own STACKFRAME64. */
static void interleaved_walks_on_one_thread(void **state)
{
    (void)state;
    struct fake_target a, b;
    struct x64_function fa[2], fb[2];
    static struct x64_chain ca, cb;
    STACKFRAME64 sa, sb;
    CONTEXT xa, xb;
    unsigned na = 0, nb = 0;
    bool more_a = true, more_b = true;

    build(&a, fa, &ca, 1);
    build(&b, fb, &cb, 2);
    x64_state_to_context(&ca.expected[0], &xa);
    x64_state_to_context(&cb.expected[0], &xb);
    seed_frame(&sa, &xa);
    seed_frame(&sb, &xb);
    while (more_a || more_b) {
        char why[200];
        if (more_a && (more_a = StackWalk64(IMAGE_FILE_MACHINE_AMD64, &a, NULL, &sa, &xa,
                                            ft_read_memory, ft_function_table, ft_module_base,
                                            NULL))) {
            if (!x64_nonvolatile_equal(&ca.expected[na], &xa, why, sizeof(why)))
                fail_msg("walk a frame %u: %s", na, why);
            na++;
        }
        if (more_b && (more_b = StackWalk64(IMAGE_FILE_MACHINE_AMD64, &b, NULL, &sb, &xb,
                                            ft_read_memory, ft_function_table, ft_module_base,
                                            NULL))) {
            if (!x64_nonvolatile_equal(&cb.expected[nb], &xb, why, sizeof(why)))
                fail_msg("walk b frame %u: %s", nb, why);
            nb++;
        }
    }
    assert_int_equal(na, ca.depth);
    assert_int_equal(nb, cb.depth);
    ft_free(&a);
    ft_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_walks),
        cmocka_unit_test(interleaved_walks_on_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
