/*
 * The FrameData program evaluator: every operator, every variable, the
 * programs compilers emit (glued `=`, doubled spaces), and each bad program
 * failing cleanly with its own status. The stack is a small array of words
 * the read routine serves; reads outside it fail.
 */
#include "arch/x86_framedata.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#define BASE 0x1000u
static uint32_t words[16];
static unsigned reads;

static bool read_word(void *ctx, uint32_t address, uint32_t *out)
{
    (void)ctx;
    reads++;
    if (address < BASE || address >= BASE + sizeof words || (address - BASE) % 4)
        return false;
    *out = words[(address - BASE) / 4];
    return true;
}

static const struct x86_fd_regs callee = {.eip = 0x401000, .esp = BASE, .ebp = BASE + 0x20,
                                          .ebx = 0xB0, .esi = 0x51, .edi = 0xD1};
static const struct x86_fd_sizes sizes = {.params = 8, .saved_regs = 4, .locals = 12,
                                          .callee_params = 16};

static enum x86_fd_status run(const char *program, struct x86_fd_regs *out)
{
    *out = (struct x86_fd_regs){0};
    return x86_framedata_eval(program, &callee, &sizes, read_word, NULL, out);
}

/* Evaluates `expr` into $T0 and returns it through $eip (esp set too). */
static uint32_t value(const char *expr)
{
    char program[256];
    struct x86_fd_regs out;
    snprintf(program, sizeof program, "$T0 %s = $eip $T0 = $esp 0 =", expr);
    assert_int_equal(run(program, &out), X86_FD_OK);
    return out.eip;
}

static void setup_words(void)
{
    for (unsigned i = 0; i < 16; i++)
        words[i] = 0xA000 + i;
}

static void test_operators(void **state)
{
    (void)state;
    setup_words();
    assert_int_equal(value("7 5 +"), 12);
    assert_int_equal(value("7 5 -"), 2);
    assert_int_equal(value("5 7 -"), (uint32_t)-2);
    assert_int_equal(value("7 5 *"), 35);
    assert_int_equal(value("37 5 /"), 7);
    assert_int_equal(value("37 5 %"), 2);
    assert_int_equal(value("0x1237 16 @"), 0x1230);
    assert_int_equal(value("4103 8 @"), 4096);
    assert_int_equal(value("4100 ^"), 0xA001);
    assert_int_equal(value("$esp 8 + ^"), 0xA002);
    assert_int_equal(value("1 2 3 * +"), 7);
}

static void test_variables(void **state)
{
    (void)state;
    setup_words();
    assert_int_equal(value("$eip"), callee.eip);
    assert_int_equal(value("$esp"), callee.esp);
    assert_int_equal(value("$ebp"), callee.ebp);
    assert_int_equal(value("$ebx"), callee.ebx);
    assert_int_equal(value("$esi"), callee.esi);
    assert_int_equal(value("$edi"), callee.edi);
    assert_int_equal(value("$20"), callee.ebx);
    assert_int_equal(value("$21"), callee.esp);
    assert_int_equal(value("$22"), callee.ebp);
    assert_int_equal(value("$23"), callee.esi);
    assert_int_equal(value("$24"), callee.edi);
    assert_int_equal(value(".cbParams"), 8);
    assert_int_equal(value(".cbSavedRegs"), 4);
    assert_int_equal(value(".cbLocals"), 12);
    assert_int_equal(value(".cbCalleeParams"), 16);
    /* Without a search start, the return address lies above locals and saved registers. */
    assert_int_equal(value(".raSearch"), BASE + 16);

    struct x86_fd_regs out;
    assert_int_equal(run(".raSearchStart $esp 4 + = $T0 .raSearchStart = "
                         "$T9 .raSearch = $eip $T9 ^ = $esp $T0 4 + =", &out), X86_FD_OK);
    assert_int_equal(out.eip, 0xA001);
    assert_int_equal(out.esp, BASE + 8);
    /* Every $T slot holds its own value. */
    assert_int_equal(run("$T1 1 = $T2 2 = $T3 3 = $T4 4 = $T5 5 = $T6 6 = $T7 7 = $T8 8 = "
                         "$T9 9 = $T0 10 = $eip $T0 $T1 + $T2 + $T3 + $T4 + $T5 + $T6 + $T7 + "
                         "$T8 + $T9 + = $esp 0 =", &out), X86_FD_OK);
    assert_int_equal(out.eip, 55);
}

/* What compilers emit: the standard FPO frame, a saved EBP, restored callee-saved registers. */
static void test_real_programs(void **state)
{
    struct x86_fd_regs out;
    (void)state;
    setup_words();
    assert_int_equal(run("$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + = $ebp $T0 12 - ^ = "
                         "$ebx $T0 8 - ^ =", &out), X86_FD_OK);
    assert_int_equal(out.eip, words[4]);
    assert_int_equal(out.esp, BASE + 20);
    assert_int_equal(out.ebp, words[1]);
    assert_int_equal(out.ebx, words[2]);
    assert_int_equal(out.esi, callee.esi); /* not assigned: unchanged */
    assert_int_equal(out.edi, callee.edi);

    /* An EBP frame with $20/$23/$24 (CodeView numbers), glued `=` and doubled spaces. */
    assert_int_equal(run("$T0  $ebp =$eip $T0 4 + ^ =$ebp $T0 ^ =$esp $T0 8 + "
                         "=$23 $T0 4 - ^ =$24  $T0 8 - ^ =$20 $T0 12 - ^ =", &out), X86_FD_OK);
    assert_int_equal(out.eip, words[9]);
    assert_int_equal(out.ebp, words[8]);
    assert_int_equal(out.esp, BASE + 0x28);
    assert_int_equal(out.esi, words[7]);
    assert_int_equal(out.edi, words[6]);
    assert_int_equal(out.ebx, words[5]);

    /* Tabs and newlines as separators, trailing spaces, hexadecimal literals. */
    assert_int_equal(run("\t$eip\t$esp ^ =\n$esp $esp 0x4 + =   ", &out), X86_FD_OK);
    assert_int_equal(out.eip, words[0]);
    assert_int_equal(out.esp, BASE + 4);
}

static void test_bad_programs(void **state)
{
    struct x86_fd_regs out;
    char long_program[X86_FD_MAX_PROGRAM + 64];
    (void)state;
    setup_words();
    assert_int_equal(run("$eip +", &out), X86_FD_UNDERFLOW);
    assert_int_equal(run("^", &out), X86_FD_UNDERFLOW);
    assert_int_equal(run("$eip =", &out), X86_FD_UNDERFLOW);
    assert_int_equal(run("$T0 1 = $eip 1 0 / = $esp 0 =", &out), X86_FD_DIVIDE_BY_ZERO);
    assert_int_equal(run("$eip 1 0 % = $esp 0 =", &out), X86_FD_DIVIDE_BY_ZERO);
    assert_int_equal(run("$eip $eax = $esp 0 =", &out), X86_FD_SYNTAX);
    assert_int_equal(run("$eip $T10 = $esp 0 =", &out), X86_FD_SYNTAX);
    assert_int_equal(run("$eip .cbFoo = $esp 0 =", &out), X86_FD_SYNTAX);
    assert_int_equal(run("$eip 12x = $esp 0 =", &out), X86_FD_SYNTAX);
    assert_int_equal(run("$eip 99999999999 = $esp 0 =", &out), X86_FD_SYNTAX);
    assert_int_equal(run("1 2 = $eip 0 = $esp 0 =", &out), X86_FD_SYNTAX);
    assert_int_equal(run(".cbLocals 2 = $eip 0 = $esp 0 =", &out), X86_FD_SYNTAX);
    assert_int_equal(run("$eip $T3 = $esp 0 =", &out), X86_FD_UNASSIGNED);
    assert_int_equal(run("$eip .raSearchStart = $esp 0 =", &out), X86_FD_UNASSIGNED);
    assert_int_equal(run("$eip 0x9000 ^ = $esp 0 =", &out), X86_FD_READ_FAILED);
    assert_int_equal(run("$esp 4 =", &out), X86_FD_NO_RESULT);
    assert_int_equal(run("$eip 4 =", &out), X86_FD_NO_RESULT);
    assert_int_equal(run("", &out), X86_FD_NO_RESULT);
    assert_int_equal(run("   ", &out), X86_FD_NO_RESULT);

    /* 40 pushes overflow the operand stack. */
    strcpy(long_program, "");
    for (int i = 0; i < 40; i++)
        strcat(long_program, "1 ");
    assert_int_equal(run(long_program, &out), X86_FD_OVERFLOW);

    /* An over-long program is refused before any word is read. */
    memset(long_program, ' ', sizeof long_program - 1);
    long_program[sizeof long_program - 1] = 0;
    memcpy(long_program, "$eip $esp ^ = $esp 0 =", 22);
    reads = 0;
    assert_int_equal(run(long_program, &out), X86_FD_TOO_LONG);
    assert_int_equal(reads, 0);
    /* A program at the cap still runs. */
    long_program[X86_FD_MAX_PROGRAM] = 0;
    assert_int_equal(run(long_program, &out), X86_FD_OK);
    assert_int_equal(out.eip, words[0]);

    assert_int_equal(x86_framedata_eval(NULL, &callee, &sizes, read_word, NULL, &out),
                     X86_FD_SYNTAX);
}

/* A search that finds the return address 3 words above its start, and
 * records where it was asked to start. */
static uint32_t search_start;
static uint32_t search_three_up(void *ctx, uint32_t start)
{
    (void)ctx;
    search_start = start;
    return start + 12;
}

/* .raSearch through a search routine: the routine starts at the record's
 * slot (or .raSearchStart) and its answer is the value the program sees. */
static void test_ra_search(void **state)
{
    struct x86_fd_regs out;
    (void)state;
    setup_words();
    assert_int_equal(x86_framedata_eval_search("$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + =",
                                               &callee, &sizes, read_word, search_three_up, NULL,
                                               &out),
                     X86_FD_OK);
    assert_int_equal(search_start, BASE + 16); /* esp + locals + saved regs */
    assert_int_equal(out.eip, words[7]);
    assert_int_equal(out.esp, BASE + 32);
    assert_int_equal(x86_framedata_eval_search(".raSearchStart $esp 4 + = $T0 .raSearch = "
                                               "$eip $T0 ^ = $esp $T0 4 + =",
                                               &callee, &sizes, read_word, search_three_up, NULL,
                                               &out),
                     X86_FD_OK);
    assert_int_equal(search_start, BASE + 4);
    assert_int_equal(out.eip, words[4]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_real_programs),
        cmocka_unit_test(test_bad_programs),
        cmocka_unit_test(test_ra_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
