/* ARM64 pieces of the emulator proof's test program that C cannot express.
 * Assembles with clang --target=aarch64-pc-windows-msvc (llvm-mc).
 *
 * Functions without .seh_proc or hand-written .pdata have no unwind data:
 * the walker treats them as leaves (PC = LR, SP unchanged), so they never
 * move SP and keep their return address in LR.
 *
 * Unwind codes covered here beyond what clang emits for walkprog.c:
 * save_next (integer pairs), alloc_l, save_freg_x, save_reg_x, save_lrpair,
 * add_fp, unchained frames, pac_sign_lr and save_any_reg (both written by
 * hand: llvm-mc 14 has no directive for them), a machine frame
 * (MSFT_OP_MACHINE_FRAME), a context record (MSFT_OP_CONTEXT), epilog codes
 * that end in a custom code, a function ending in a call, and a prolog
 * calling __chkstk.
 *
 * .emumark holds records for the runner: { kind, begin RVA, end RVA }
 *   kind 1: [begin, end) is not checked (a longjmp restoring registers
 *           before switching stacks: no unwind data can describe it);
 *   kind 2: begin is entered with a machine frame at SP ({SP, PC});
 *   kind 3: begin is entered with an ARM64_NT_CONTEXT at SP.
 */

	.text

/* ---- the stack probe: x15 = size / 16; touches every page from the
 * caller's SP down to SP - size, never moves SP, changes only x16/x17 ---- */
	.globl __chkstk
	.p2align 2
__chkstk:
	lsl x16, x15, #4
	mov x17, sp
	sub x16, x17, x16          /* the lowest address the caller will use */
1:	sub x17, x17, #0x1000
	cmp x17, x16
	b.lo 2f
	ldr xzr, [x17]
	b 1b
2:	ldr xzr, [x16]
	ret

/* ---- setjmp/longjmp: x19-x28, fp, lr, sp, d8-d15 ---- */
	.globl emu_setjmp
	.p2align 2
emu_setjmp:
	stp x19, x20, [x0, #0]
	stp x21, x22, [x0, #16]
	stp x23, x24, [x0, #32]
	stp x25, x26, [x0, #48]
	stp x27, x28, [x0, #64]
	stp x29, x30, [x0, #80]
	mov x9, sp
	str x9, [x0, #96]
	stp d8, d9, [x0, #104]
	stp d10, d11, [x0, #120]
	stp d12, d13, [x0, #136]
	stp d14, d15, [x0, #152]
	mov w0, #0
	ret

	.globl emu_longjmp
	.p2align 2
emu_longjmp:
	cmp w1, #0
	csinc w9, w1, wzr, ne      /* 0 becomes 1 */
.Llj_restore:
	ldp x19, x20, [x0, #0]
	ldp x21, x22, [x0, #16]
	ldp x23, x24, [x0, #32]
	ldp x25, x26, [x0, #48]
	ldp x27, x28, [x0, #64]
	ldp x29, x30, [x0, #80]
	ldp d8, d9, [x0, #104]
	ldp d10, d11, [x0, #120]
	ldp d12, d13, [x0, #136]
	ldp d14, d15, [x0, #152]
	ldr x10, [x0, #96]
	mov sp, x10
	mov w0, w9
	ret
.Llj_end:

/* ---- a function whose last instruction is a call (noreturn): its return
 * address is the first byte of the next function, whose frame differs;
 * add_fp ---- */
	.globl asm_die
	.p2align 2
	.seh_proc asm_die
asm_die:
	stp x19, x20, [sp, #-32]!
	.seh_save_regp_x x19, 32
	stp x29, x30, [sp, #16]
	.seh_save_fplr 16
	add x29, sp, #16
	.seh_add_fp 16
	.seh_endprologue
	mov x19, x0                /* clobber the saved registers */
	mov w20, w1
	mov x0, x19
	mov w1, w20
	bl emu_longjmp
	.seh_endproc

/* ---- alloc_l through a __chkstk call inside the prolog, save_next,
 * save_fregp, a chained frame record ---- */
	.globl big_frame_asm
	.p2align 2
	.seh_proc big_frame_asm
big_frame_asm:
	stp x19, x20, [sp, #-64]!
	.seh_save_regp_x x19, 64
	stp x21, x22, [sp, #16]
	.seh_save_next
	stp x23, x24, [sp, #32]
	.seh_save_next
	stp d8, d9, [sp, #48]
	.seh_save_fregp d8, 48
	stp x29, x30, [sp, #-16]!
	.seh_save_fplr_x 16
	mov x29, sp
	.seh_set_fp
	mov x15, #0x10000
	.seh_nop
	bl __chkstk
	.seh_nop
	sub sp, sp, x15, lsl #4
	.seh_stackalloc 0x100000
	.seh_endprologue
	mov x19, x0
	add x20, x0, #0x11
	add x21, x0, #0x22
	add x22, x0, #0x33
	add x23, x0, #0x44
	add x24, x0, #0x55
	fmov d8, x0
	fmov d9, x20
	add x9, sp, #0xF0, lsl #12
	str x0, [x9]
	bl opaque
	add x9, sp, #0xF0, lsl #12
	ldr x9, [x9]
	add x0, x0, x9
	add x0, x0, x19
	add x0, x0, x20
	add x0, x0, x21
	add x0, x0, x22
	add x0, x0, x23
	add x0, x0, x24
	fmov x9, d8
	add x0, x0, x9
	fmov x9, d9
	add x0, x0, x9
	.seh_startepilogue
	add sp, sp, #0x100, lsl #12
	.seh_stackalloc 0x100000
	ldp x29, x30, [sp], #16
	.seh_save_fplr_x 16
	ldp d8, d9, [sp, #48]
	.seh_save_fregp d8, 48
	ldp x23, x24, [sp, #32]
	.seh_save_next
	ldp x21, x22, [sp, #16]
	.seh_save_next
	ldp x19, x20, [sp], #64
	.seh_save_regp_x x19, 64
	.seh_endepilogue
	ret
	.seh_endproc

/* ---- add_fp as the last prolog instruction, a dynamic allocation after
 * the prolog, and a `sub sp, x29, #16` epilog; save_freg ---- */
	.globl fp_offset_asm
	.p2align 2
	.seh_proc fp_offset_asm
fp_offset_asm:
	stp x19, x20, [sp, #-48]!
	.seh_save_regp_x x19, 48
	stp x29, x30, [sp, #16]
	.seh_save_fplr 16
	str d10, [sp, #32]
	.seh_save_freg d10, 32
	add x29, sp, #16
	.seh_add_fp 16
	.seh_endprologue
	sub sp, sp, #0x200
	mov x19, x0
	fmov d10, x0
	bl opaque
	sub sp, sp, #0x40
	bl leaf_mix
	add x0, x0, x19
	fmov x9, d10
	add x0, x0, x9
	.seh_startepilogue
	sub sp, x29, #16
	.seh_add_fp 16
	ldr d10, [sp, #32]
	.seh_save_freg d10, 32
	ldp x29, x30, [sp, #16]
	.seh_save_fplr 16
	ldp x19, x20, [sp], #48
	.seh_save_regp_x x19, 48
	.seh_endepilogue
	ret
	.seh_endproc

/* ---- an unchained frame (x29 untouched): save_reg_x, save_freg_x,
 * alloc_s, save_lrpair, save_regp, save_freg, save_fregp_x; two epilogs ---- */
	.globl fp_first_asm
	.p2align 2
	.seh_proc fp_first_asm
fp_first_asm:
	str x22, [sp, #-16]!
	.seh_save_reg_x x22, 16
	str d13, [sp, #-16]!
	.seh_save_freg_x d13, 16
	sub sp, sp, #64
	.seh_stackalloc 64
	stp x21, x30, [sp, #16]
	.seh_save_lrpair x21, 16
	stp x19, x20, [sp, #32]
	.seh_save_regp x19, 32
	str d12, [sp, #48]
	.seh_save_freg d12, 48
	stp d14, d15, [sp, #-16]!
	.seh_save_fregp_x d14, 16
	.seh_endprologue
	mov x19, x0
	add x20, x0, #1
	add x21, x0, #2
	add x22, x0, #3
	fmov d12, x19
	fmov d13, x20
	fmov d14, x21
	fmov d15, x22
	bl opaque
	tbnz x19, #0, .Lff_odd
	add x0, x0, x19
	.seh_startepilogue
	ldp d14, d15, [sp], #16
	.seh_save_fregp_x d14, 16
	ldr d12, [sp, #48]
	.seh_save_freg d12, 48
	ldp x19, x20, [sp, #32]
	.seh_save_regp x19, 32
	ldp x21, x30, [sp, #16]
	.seh_save_lrpair x21, 16
	add sp, sp, #64
	.seh_stackalloc 64
	ldr d13, [sp], #16
	.seh_save_freg_x d13, 16
	ldr x22, [sp], #16
	.seh_save_reg_x x22, 16
	.seh_endepilogue
	ret
.Lff_odd:
	add x0, x0, x20
	add x0, x0, x21
	add x0, x0, x22
	fmov x9, d12
	add x0, x0, x9
	fmov x9, d15
	add x0, x0, x9
	.seh_startepilogue
	ldp d14, d15, [sp], #16
	.seh_save_fregp_x d14, 16
	ldr d12, [sp, #48]
	.seh_save_freg d12, 48
	ldp x19, x20, [sp, #32]
	.seh_save_regp x19, 32
	ldp x21, x30, [sp, #16]
	.seh_save_lrpair x21, 16
	add sp, sp, #64
	.seh_stackalloc 64
	ldr d13, [sp], #16
	.seh_save_freg_x d13, 16
	ldr x22, [sp], #16
	.seh_save_reg_x x22, 16
	.seh_endepilogue
	ret
	.seh_endproc

/* ---- pac_sign_lr, with hand-written unwind data (below): pacibsp /
 * autibsp are HINT-space instructions, NOPs without FEAT_PAuth ---- */
	.globl chained_asm
	.p2align 2
chained_asm:
	hint #27                   /* pacibsp */
	stp x29, x30, [sp, #-32]!
	mov x29, sp
	str x19, [sp, #16]
.Lpac_body:
	mov x19, x0
	bl any_reg_asm
	bl pk_lr1_asm
	bl pk_home_asm
	bl pk_pac_asm
	bl pk_split_asm
	bl pk_big_fp_asm
	bl pk_leaf_asm
	add x0, x0, x19
.Lpac_epilog:
	ldr x19, [sp, #16]
	ldp x29, x30, [sp], #32
	hint #31                   /* autibsp */
	ret
.Lpac_end:

/* ---- save_any_reg in all its forms: an X pair, a single X, a D, an X
 * with writeback and a Q pair with writeback (hand-written unwind data);
 * the epilog shares the prolog's codes ---- */
	.p2align 2
any_reg_asm:
	stp q14, q15, [sp, #-32]!
	str x30, [sp, #-16]!
	sub sp, sp, #32
	stp x22, x23, [sp, #0]
	str d13, [sp, #16]
	str x25, [sp, #24]
.Lar_body:
	mov x22, x0
	add x23, x0, #5
	add x25, x0, #9
	fmov d13, x23
	fmov d14, x25
	fmov d15, x22
	bl opaque
	add x0, x0, x22
	add x0, x0, x23
	add x0, x0, x25
	fmov x9, d13
	add x0, x0, x9
	fmov x9, d14
	add x0, x0, x9
.Lar_epilog:
	ldr x25, [sp, #24]
	ldr d13, [sp, #16]
	ldp x22, x23, [sp, #0]
	add sp, sp, #32
	ldr x30, [sp], #16
	ldp q14, q15, [sp], #32
	ret
.Lar_end:

/* ---- canonical packed shapes (spec/unwind-rules.md "Packed .pdata"),
 * written out instruction for instruction: the compiler may pack them
 * itself; arm64_pack packs the rest in the packed copies of the image ---- */

/* RegI=1 CR=1: Windows' two-instruction form `sub sp` + `stp x19, lr, [sp]` */
	.p2align 2
	.seh_proc pk_lr1_asm
pk_lr1_asm:
	sub sp, sp, #16
	.seh_stackalloc 16
	stp x19, x30, [sp]
	.seh_save_lrpair x19, 0
	sub sp, sp, #32
	.seh_stackalloc 32
	.seh_endprologue
	mov x19, x0
	bl opaque
	add x0, x0, x19
	.seh_startepilogue
	add sp, sp, #32
	.seh_stackalloc 32
	ldp x19, x30, [sp]
	.seh_save_lrpair x19, 0
	add sp, sp, #16
	.seh_stackalloc 16
	.seh_endepilogue
	ret
	.seh_endproc

/* CR=3 H=1 and no register saves: the whole frame first, the homing
 * stores after `mov x29, sp` */
	.p2align 2
	.seh_proc pk_home_asm
pk_home_asm:
	stp x29, x30, [sp, #-80]!
	.seh_save_fplr_x 80
	mov x29, sp
	.seh_set_fp
	stp x0, x1, [sp, #16]
	.seh_nop
	stp x2, x3, [sp, #32]
	.seh_nop
	stp x4, x5, [sp, #48]
	.seh_nop
	stp x6, x7, [sp, #64]
	.seh_nop
	.seh_endprologue
	bl opaque
	ldr x9, [x29, #16]
	add x0, x0, x9
	.seh_startepilogue
	mov sp, x29
	.seh_set_fp
	ldp x29, x30, [sp], #80
	.seh_save_fplr_x 80
	.seh_endepilogue
	ret
	.seh_endproc

/* CR=2 (pacibsp) RegI=2 RegF=1, local 48: hand-written .xdata (E = 1) */
	.p2align 2
pk_pac_asm:
	hint #27                   /* pacibsp */
	stp x19, x20, [sp, #-32]!
	stp d8, d9, [sp, #16]
	stp x29, x30, [sp, #-48]!
	mov x29, sp
	mov x19, x0
	add x20, x0, #3
	fmov d8, x20
	fmov d9, x19
	bl opaque
	add x0, x0, x19
	add x0, x0, x20
	fmov x9, d8
	add x0, x0, x9
	mov sp, x29
	ldp x29, x30, [sp], #48
	ldp d8, d9, [sp, #16]
	ldp x19, x20, [sp], #32
	ret
.Lpk_pac_end:

/* CR=1 RegI=3 (x21 paired with lr) RegF=2 (an odd d10), locals of 5008
 * bytes split at 4080 */
	.p2align 2
	.seh_proc pk_split_asm
pk_split_asm:
	stp x19, x20, [sp, #-64]!
	.seh_save_regp_x x19, 64
	stp x21, x30, [sp, #16]
	.seh_save_lrpair x21, 16
	stp d8, d9, [sp, #32]
	.seh_save_fregp d8, 32
	str d10, [sp, #48]
	.seh_save_freg d10, 48
	sub sp, sp, #4080
	.seh_stackalloc 4080
	sub sp, sp, #928
	.seh_stackalloc 928
	.seh_endprologue
	mov x19, x0
	add x20, x0, #1
	add x21, x0, #2
	fmov d8, x19
	fmov d9, x20
	fmov d10, x21
	str x0, [sp, #4096]
	bl opaque
	ldr x9, [sp, #4096]
	add x0, x0, x9
	add x0, x0, x21
	fmov x9, d10
	add x0, x0, x9
	.seh_startepilogue
	add sp, sp, #928
	.seh_stackalloc 928
	add sp, sp, #4080
	.seh_stackalloc 4080
	ldr d10, [sp, #48]
	.seh_save_freg d10, 48
	ldp d8, d9, [sp, #32]
	.seh_save_fregp d8, 32
	ldp x21, x30, [sp, #16]
	.seh_save_lrpair x21, 16
	ldp x19, x20, [sp], #64
	.seh_save_regp_x x19, 64
	.seh_endepilogue
	ret
	.seh_endproc

/* CR=3 RegI=2 H=1, locals of 1024 (> 512: sub sp + stp x29, lr, [sp]) */
	.p2align 2
	.seh_proc pk_big_fp_asm
pk_big_fp_asm:
	stp x19, x20, [sp, #-80]!
	.seh_save_regp_x x19, 80
	stp x0, x1, [sp, #16]
	.seh_nop
	stp x2, x3, [sp, #32]
	.seh_nop
	stp x4, x5, [sp, #48]
	.seh_nop
	stp x6, x7, [sp, #64]
	.seh_nop
	sub sp, sp, #1024
	.seh_stackalloc 1024
	stp x29, x30, [sp]
	.seh_save_fplr 0
	mov x29, sp
	.seh_set_fp
	.seh_endprologue
	mov x19, x0
	add x20, x0, #7
	sub sp, sp, #64            /* a dynamic allocation: the epilog needs mov sp, x29 */
	bl opaque
	add x0, x0, x19
	add x0, x0, x20
	.seh_startepilogue
	mov sp, x29
	.seh_set_fp
	ldp x29, x30, [sp]
	.seh_save_fplr 0
	add sp, sp, #1024
	.seh_stackalloc 1024
	ldp x19, x20, [sp], #80
	.seh_save_regp_x x19, 80
	.seh_endepilogue
	ret
	.seh_endproc

/* CR=0 RegI=4, a leaf with locals */
	.p2align 2
	.seh_proc pk_leaf_asm
pk_leaf_asm:
	stp x19, x20, [sp, #-32]!
	.seh_save_regp_x x19, 32
	stp x21, x22, [sp, #16]
	.seh_save_regp x21, 16
	sub sp, sp, #32
	.seh_stackalloc 32
	.seh_endprologue
	mov x19, x0
	add x20, x0, #1
	add x21, x0, #2
	add x22, x0, #3
	stp x21, x22, [sp]
	ldp x9, x10, [sp]
	eor x0, x19, x20
	add x0, x0, x9
	add x0, x0, x10
	.seh_startepilogue
	add sp, sp, #32
	.seh_stackalloc 32
	ldp x21, x22, [sp, #16]
	.seh_save_regp x21, 16
	ldp x19, x20, [sp], #32
	.seh_save_regp_x x19, 32
	.seh_endepilogue
	ret
	.seh_endproc

/* ---- a machine frame: emu_fake_interrupt builds what an exception entry
 * would leave ({SP, PC} at SP) and branches to the handler, which unwinds
 * through MSFT_OP_MACHINE_FRAME; iret_tail restores SP and PC ---- */
	.globl emu_fake_interrupt
	.p2align 2
	.seh_proc emu_fake_interrupt
emu_fake_interrupt:
	stp x29, x30, [sp, #-16]!
	.seh_save_fplr_x 16
	mov x29, sp
	.seh_set_fp
	.seh_endprologue
	adr x9, .Lfi_resume
	mov x10, sp
	stp x10, x9, [sp, #-16]!   /* the machine frame: SP, then PC */
	b interrupt_handler
.Lfi_resume:
	.seh_startepilogue
	ldp x29, x30, [sp], #16
	.seh_save_fplr_x 16
	.seh_endepilogue
	ret
	.seh_endproc

	.p2align 2
	.seh_proc interrupt_handler
interrupt_handler:
	.seh_pushframe
	stp x29, x30, [sp, #-32]!
	.seh_save_fplr_x 32
	mov x29, sp
	.seh_set_fp
	str x19, [sp, #16]
	.seh_save_reg x19, 16
	.seh_endprologue
	mov x19, x0
	bl interrupt_work
	add x0, x0, x19
	.seh_startepilogue
	ldr x19, [sp, #16]
	.seh_save_reg x19, 16
	ldp x29, x30, [sp], #32
	.seh_save_fplr_x 32
	.seh_pushframe
	.seh_endepilogue
	b iret_tail                /* SP is at the machine frame again */
	.seh_endproc

	.p2align 2
	.seh_proc iret_tail
iret_tail:
	.seh_pushframe
	.seh_endprologue
	ldp x9, x30, [sp]
	mov sp, x9
	.seh_endproc
	ret                        /* a leaf again: LR is the interrupted PC */

/* ---- a context record: emu_fake_exception stores an ARM64_NT_CONTEXT at
 * SP and branches to the handler, which unwinds through MSFT_OP_CONTEXT ---- */
	.globl emu_fake_exception
	.p2align 2
	.seh_proc emu_fake_exception
emu_fake_exception:
	stp x29, x30, [sp, #-16]!
	.seh_save_fplr_x 16
	mov x29, sp
	.seh_set_fp
	.seh_endprologue
	sub sp, sp, #0x390
	stp x19, x20, [sp, #0xA0]  /* X19 is at 0x08 + 8 * 19 */
	stp x21, x22, [sp, #0xB0]
	stp x23, x24, [sp, #0xC0]
	stp x25, x26, [sp, #0xD0]
	stp x27, x28, [sp, #0xE0]
	stp x29, x30, [sp, #0xF0]
	add x9, sp, #0x390         /* the interrupted SP */
	adr x10, .Lfe_resume
	stp x9, x10, [sp, #0x100]  /* Sp, Pc */
	stp q8, q9, [sp, #0x190]   /* V8 is at 0x110 + 16 * 8 */
	stp q10, q11, [sp, #0x1B0]
	stp q12, q13, [sp, #0x1D0]
	stp q14, q15, [sp, #0x1F0]
	b exception_handler
.Lfe_resume:
	.seh_startepilogue
	ldp x29, x30, [sp], #16
	.seh_save_fplr_x 16
	.seh_endepilogue
	ret
	.seh_endproc

	.p2align 2
	.seh_proc exception_handler
exception_handler:
	.seh_context
	stp x19, x20, [sp, #-32]!
	.seh_save_regp_x x19, 32
	stp x29, x30, [sp, #16]
	.seh_save_fplr 16
	add x29, sp, #16
	.seh_add_fp 16
	.seh_endprologue
	mov x19, x0
	mov x20, #0x5555
	bl exception_work
	add x0, x0, x19
	add x0, x0, x20
	.seh_startepilogue
	ldp x29, x30, [sp, #16]
	.seh_save_fplr 16
	ldp x19, x20, [sp], #32
	.seh_save_regp_x x19, 32
	.seh_context
	.seh_endepilogue
	b ctx_tail
	.seh_endproc

	.p2align 2
	.seh_proc ctx_tail
ctx_tail:
	.seh_context
	.seh_endprologue
	ldr x30, [sp, #0x108]
	ldr x9, [sp, #0x100]
	mov sp, x9
	.seh_endproc
	ret

/* ---- hand-written unwind data ---- */
	.section .xdata,"dr"
	.p2align 2
.Lpac_info:
	/* FunctionLength, one epilog scope, 3 code words */
	.long ((.Lpac_end - chained_asm) / 4) | (1 << 22) | (3 << 27)
	.long ((.Lpac_epilog - chained_asm) / 4) | (6 << 22)
	/* prolog: save_reg x19,#16; set_fp; save_fplr_x #32; pac_sign_lr; end */
	.byte 0xD0, 0x02, 0xE1, 0x83, 0xFC, 0xE4
	/* epilog (index 6): save_reg x19,#16; save_fplr_x #32; pac_sign_lr; end */
	.byte 0xD0, 0x02, 0x83, 0xFC, 0xE4, 0xE4
	.p2align 2
.Lar_info:
	/* FunctionLength, one epilog scope, 5 code words */
	.long ((.Lar_end - any_reg_asm) / 4) | (1 << 22) | (5 << 27)
	.long ((.Lar_epilog - any_reg_asm) / 4) | (0 << 22)
	.byte 0xE7, 0x19, 0x03     /* save_any_reg x25, [sp, #24] */
	.byte 0xE7, 0x0D, 0x42     /* save_any_reg d13, [sp, #16] */
	.byte 0xE7, 0x56, 0x00     /* save_any_reg x22/x23 pair, [sp] */
	.byte 0x02                 /* alloc_s 32 */
	/* writeback: SP moves by 16 x (offset + 1), so -16 is offset 0 and
	 * -32 offset 1 (spec/unwind-rules.md, save_any_reg) */
	.byte 0xE7, 0x3E, 0x00     /* save_any_reg x30, [sp, #-16]! */
	.byte 0xE7, 0x6E, 0x81     /* save_any_reg q14/q15 pair, [sp, #-32]! */
	.byte 0xE4, 0xE4, 0xE4, 0xE4 /* end, padding */

	.p2align 2
.Lpk_pac_info:
	/* FunctionLength, E = 1 with the epilog codes at index 7, 4 code words */
	.long ((.Lpk_pac_end - pk_pac_asm) / 4) | (1 << 21) | (7 << 22) | (4 << 27)
	/* prolog: set_fp; save_fplr_x #48; save_fregp d8,#16; save_r19r20_x #32; pac_sign_lr; end */
	.byte 0xE1, 0x85, 0xD8, 0x02, 0x24, 0xFC, 0xE4
	/* epilog: the same without pac_sign_lr */
	.byte 0xE1, 0x85, 0xD8, 0x02, 0x24, 0xE4
	.byte 0xE4, 0xE4, 0xE4

	.section .pdata,"dr"
	.p2align 2
	.rva pk_pac_asm, .Lpk_pac_info
	.rva chained_asm, .Lpac_info
	.rva any_reg_asm, .Lar_info

/* ---- records for the runner ---- */
	.section .emumark,"dr"
	.p2align 2
	.long 1
	.rva .Llj_restore, .Llj_end
	.long 2
	.rva interrupt_handler, interrupt_handler
	.long 3
	.rva exception_handler, exception_handler
