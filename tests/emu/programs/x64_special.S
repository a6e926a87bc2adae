/* x64 pieces of the emulator proof's test program that C cannot express.
 * Assembles with clang (x86_64-pc-windows-msvc) and x86_64-w64-mingw32-as.
 *
 * Functions without .seh_proc have no unwind data: the walker must treat
 * them as leaves (RIP = [RSP]), so they never move RSP while [RSP] is not
 * their return address.
 *
 * .emumark holds records for the runner: { kind, begin RVA, end RVA }
 *   kind 1: [begin, end) is not checked (a longjmp restoring registers
 *           before switching stacks: no unwind data can describe it);
 *   kind 2: begin is entered with a machine frame at RSP (no error code);
 *   kind 3: the same with an error code below the machine frame.
 */
#if defined(__clang__)
#define PUSHFRAME_CODE .seh_pushframe @code
#define RDATA_FLAGS ,"dr"
#else
#define PUSHFRAME_CODE .seh_pushframe code
#define RDATA_FLAGS
#endif

	.text

/* ---- the stack probe: both names, preserves everything but r10/r11,
 * never moves RSP (the caller subtracts RAX itself) ---- */
	.globl __chkstk
	.globl ___chkstk_ms
__chkstk:
___chkstk_ms:
	lea 8(%rsp), %r10          /* the caller's RSP */
	mov %r10, %r11
	sub %rax, %r11             /* the lowest address the caller will use */
1:	sub $0x1000, %r10
	cmp %r11, %r10
	jb 2f
	testq %r10, (%r10)         /* touch each page from the top down */
	jmp 1b
2:	testq %r10, (%r11)
	ret

/* ---- setjmp/longjmp ---- */
	.globl emu_setjmp
emu_setjmp:
	mov %rbx, 0x00(%rcx)
	mov %rbp, 0x08(%rcx)
	mov %rsi, 0x10(%rcx)
	mov %rdi, 0x18(%rcx)
	mov %r12, 0x20(%rcx)
	mov %r13, 0x28(%rcx)
	mov %r14, 0x30(%rcx)
	mov %r15, 0x38(%rcx)
	lea 8(%rsp), %rax
	mov %rax, 0x40(%rcx)
	mov (%rsp), %rax
	mov %rax, 0x48(%rcx)
	movdqu %xmm6, 0x50(%rcx)
	movdqu %xmm7, 0x60(%rcx)
	movdqu %xmm8, 0x70(%rcx)
	movdqu %xmm9, 0x80(%rcx)
	movdqu %xmm10, 0x90(%rcx)
	movdqu %xmm11, 0xa0(%rcx)
	movdqu %xmm12, 0xb0(%rcx)
	movdqu %xmm13, 0xc0(%rcx)
	movdqu %xmm14, 0xd0(%rcx)
	movdqu %xmm15, 0xe0(%rcx)
	xor %eax, %eax
	ret

	.globl emu_longjmp
emu_longjmp:
	mov %edx, %eax
	test %eax, %eax
	jnz .Llj_restore
	inc %eax
.Llj_restore:
	mov 0x00(%rcx), %rbx
	mov 0x08(%rcx), %rbp
	mov 0x10(%rcx), %rsi
	mov 0x18(%rcx), %rdi
	mov 0x20(%rcx), %r12
	mov 0x28(%rcx), %r13
	mov 0x30(%rcx), %r14
	mov 0x38(%rcx), %r15
	movdqu 0x50(%rcx), %xmm6
	movdqu 0x60(%rcx), %xmm7
	movdqu 0x70(%rcx), %xmm8
	movdqu 0x80(%rcx), %xmm9
	movdqu 0x90(%rcx), %xmm10
	movdqu 0xa0(%rcx), %xmm11
	movdqu 0xb0(%rcx), %xmm12
	movdqu 0xc0(%rcx), %xmm13
	movdqu 0xd0(%rcx), %xmm14
	movdqu 0xe0(%rcx), %xmm15
	mov 0x40(%rcx), %rsp
	jmp *0x48(%rcx)
.Llj_end:

/* ---- a function whose last instruction is a call (noreturn): its return
 * address is the first byte of the next function, whose frame differs ---- */
	.globl asm_die
	.seh_proc asm_die
asm_die:
	push %rsi
	.seh_pushreg %rsi
	push %rdi
	.seh_pushreg %rdi
	sub $0x28, %rsp
	.seh_stackalloc 0x28
	.seh_endprologue
	mov %rcx, %rsi             /* clobber the saved registers */
	mov %edx, %edi
	mov %rsi, %rcx
	mov %edi, %edx
	call emu_longjmp
	.seh_endproc

/* ---- SAVE_NONVOL_FAR, SAVE_XMM128_FAR, ALLOC_LARGE with a 32-bit size,
 * and a probe call inside the prolog (MSVC's shape) ---- */
	.globl big_frame_asm
	.seh_proc big_frame_asm
big_frame_asm:
	push %rbx
	.seh_pushreg %rbx
	mov $0x120000, %eax
	call __chkstk
	sub %rax, %rsp
	.seh_stackalloc 0x120000
	mov %rsi, 0x118000(%rsp)
	.seh_savereg %rsi, 0x118000
	mov %r14, 0x80000(%rsp)
	.seh_savereg %r14, 0x80000
	movups %xmm7, 0x110000(%rsp)
	.seh_savexmm %xmm7, 0x110000
	movups %xmm8, 0x100(%rsp)
	.seh_savexmm %xmm8, 0x100
	mov %r13, 0x40(%rsp)
	.seh_savereg %r13, 0x40
	.seh_endprologue
	mov %rcx, %rbx
	lea 0x11(%rcx), %rsi
	lea 0x22(%rcx), %r14
	lea 0x33(%rcx), %r13
	movq %rcx, %xmm7
	movq %rsi, %xmm8
	mov %rcx, 0x60000(%rsp)
	call opaque
	add 0x60000(%rsp), %rax
	add %rbx, %rax
	add %rsi, %rax
	add %r14, %rax
	add %r13, %rax
	movq %xmm7, %rcx
	add %rcx, %rax
	mov 0x40(%rsp), %r13
	movups 0x100(%rsp), %xmm8
	movups 0x110000(%rsp), %xmm7
	mov 0x80000(%rsp), %r14
	mov 0x118000(%rsp), %rsi
	add $0x120000, %rsp
	pop %rbx
	ret
	.seh_endproc

/* ---- a frame register at an offset, a dynamic allocation after the
 * prolog, and a `lea rsp, [rbp + disp]` epilog ---- */
	.globl fp_offset_asm
	.seh_proc fp_offset_asm
fp_offset_asm:
	push %rbp
	.seh_pushreg %rbp
	push %rdi
	.seh_pushreg %rdi
	sub $0x78, %rsp
	.seh_stackalloc 0x78
	lea 0x30(%rsp), %rbp
	.seh_setframe %rbp, 0x30
	movups %xmm6, 0x20(%rbp)
	.seh_savexmm %xmm6, 0x50
	.seh_endprologue
	sub $0x200, %rsp
	mov %rcx, %rdi
	movq %rcx, %xmm6
	call opaque
	sub $0x40, %rsp
	mov %rax, %rcx
	call leaf_mix
	add %rdi, %rax
	movq %xmm6, %rcx
	add %rcx, %rax
	movups 0x20(%rbp), %xmm6
	lea 0x48(%rbp), %rsp
	pop %rdi
	pop %rbp
	ret
	.seh_endproc

/* ---- the frame register set before the fixed allocation (gcc's order),
 * a register saved in the caller's home area, `lea rsp, [rbp]` epilog ---- */
	.globl fp_first_asm
	.seh_proc fp_first_asm
fp_first_asm:
	push %rbp
	.seh_pushreg %rbp
	mov %rsp, %rbp
	.seh_setframe %rbp, 0
	sub $0x40, %rsp
	.seh_stackalloc 0x40
	mov %rbx, 0x10(%rbp)
	.seh_savereg %rbx, 0x10
	.seh_endprologue
	mov %rcx, %rbx
	sub $0x30, %rsp
	call opaque
	add %rbx, %rax
	mov 0x10(%rbp), %rbx
	lea 0(%rbp), %rsp
	pop %rbp
	ret
	.seh_endproc

/* ---- chained unwind data, written by hand (gas has no directive for it):
 * the primary part, and a fragment after it whose own codes save two more
 * registers and whose UNWIND_INFO chains to the primary entry ---- */
	.globl chained_asm
chained_asm:
	push %rbx
	sub $0x30, %rsp
.Lch_prolog_end:
	mov %rcx, %rbx
	test $1, %cl
	jne .Lch_frag
	call opaque
	add %rbx, %rax
	add $0x30, %rsp
	pop %rbx
	ret
.Lch_primary_end:
.Lch_frag:
	mov %rsi, 0x20(%rsp)
	mov %rdi, 0x28(%rsp)
.Lch_frag_prolog_end:
	lea 3(%rbx), %rsi
	lea 7(%rbx), %rdi
	mov %rdi, %rcx
	call opaque
	add %rsi, %rax
	add %rdi, %rax
	mov 0x20(%rsp), %rsi
	mov 0x28(%rsp), %rdi
	add $0x30, %rsp
	pop %rbx
	ret
.Lch_frag_end:

/* ---- machine frames: a leaf builds what the hardware would push, then
 * falls into the handler, which unwinds through PUSH_MACHFRAME ---- */
	.globl emu_fake_interrupt
emu_fake_interrupt:
	mov %rsp, %rax
	and $-16, %rax
	sub $40, %rax
	lea .Lfi_resume(%rip), %r11
	mov %r11, 0(%rax)          /* RIP */
	movq $0x33, 8(%rax)        /* CS */
	movq $0x202, 16(%rax)      /* RFLAGS */
	mov %rsp, 24(%rax)         /* RSP */
	movq $0x2b, 32(%rax)       /* SS */
	mov %rax, %rsp
	.seh_proc interrupt_handler
interrupt_handler:
	.seh_pushframe
	push %rbp
	.seh_pushreg %rbp
	push %rbx
	.seh_pushreg %rbx
	sub $0x48, %rsp
	.seh_stackalloc 0x48
	mov %rsi, 0x40(%rsp)
	.seh_savereg %rsi, 0x40
	movups %xmm6, 0x20(%rsp)
	.seh_savexmm %xmm6, 0x20
	.seh_endprologue
	mov $0x7777777777777777, %rbx
	mov $0x6666666666666666, %rbp
	mov %rcx, %rsi
	movq %rbx, %xmm6
	call interrupt_work
	add %rsi, %rax
	movups 0x20(%rsp), %xmm6
	mov 0x40(%rsp), %rsi
	mov 0x48(%rsp), %rbx
	mov 0x50(%rsp), %rbp
	add $0x58, %rsp
	.seh_endproc
	/* falls into the "iret": RSP is at the machine frame */
	.seh_proc iret_tail
iret_tail:
	.seh_pushframe
	.seh_endprologue
	mov 0(%rsp), %r11
	mov 24(%rsp), %rsp
	.seh_endproc
	jmp *%r11                  /* a leaf again: [RSP] is the return address */
.Lfi_resume:
	ret

	.globl emu_fake_exception
emu_fake_exception:
	mov %rsp, %rax
	and $-16, %rax
	sub $48, %rax
	movq $0x0e, 0(%rax)        /* error code */
	lea .Lfe_resume(%rip), %r11
	mov %r11, 8(%rax)          /* RIP */
	movq $0x33, 16(%rax)       /* CS */
	movq $0x10202, 24(%rax)    /* RFLAGS */
	mov %rsp, 32(%rax)         /* RSP */
	movq $0x2b, 40(%rax)       /* SS */
	mov %rax, %rsp
	.seh_proc exception_handler
exception_handler:
	PUSHFRAME_CODE
	push %rbp
	.seh_pushreg %rbp
	push %r12
	.seh_pushreg %r12
	sub $0x30, %rsp
	.seh_stackalloc 0x30
	lea 0x10(%rsp), %rbp
	.seh_setframe %rbp, 0x10
	.seh_endprologue
	sub $0x60, %rsp
	mov %rcx, %r12
	call exception_work
	add %r12, %rax
	mov 0x20(%rbp), %r12
	lea 0x28(%rbp), %rsp
	pop %rbp
	.seh_endproc
	.seh_proc iret_tail_code
iret_tail_code:
	PUSHFRAME_CODE
	.seh_endprologue
	mov 8(%rsp), %r11
	mov 32(%rsp), %rsp
	.seh_endproc
	jmp *%r11
.Lfe_resume:
	ret

/* ---- hand-written unwind data for chained_asm ---- */
	.section .xdata RDATA_FLAGS
	.p2align 2
.Lch_primary_info:
	.byte 1                                    /* version 1, no flags */
	.byte .Lch_prolog_end - chained_asm        /* prolog size */
	.byte 2                                    /* count of codes */
	.byte 0                                    /* no frame register */
	.byte .Lch_prolog_end - chained_asm, 0x52  /* ALLOC_SMALL 0x30 */
	.byte 1, 0x30                              /* PUSH_NONVOL rbx */
	.p2align 2
.Lch_frag_info:
	.byte 0x21                                 /* version 1, UNW_FLAG_CHAININFO */
	.byte .Lch_frag_prolog_end - .Lch_frag
	.byte 4
	.byte 0
	.byte .Lch_frag_prolog_end - .Lch_frag, 0x74 /* SAVE_NONVOL rdi, [frame + 8*5] */
	.short 5
	.byte 5, 0x64                              /* SAVE_NONVOL rsi, [frame + 8*4] */
	.short 4
	.rva chained_asm, .Lch_primary_end, .Lch_primary_info

	.section .pdata RDATA_FLAGS
	.p2align 2
	.rva chained_asm, .Lch_primary_end, .Lch_primary_info
	.rva .Lch_frag, .Lch_frag_end, .Lch_frag_info

/* ---- records for the runner ---- */
	.section .emumark,"dr"
	.p2align 2
	.long 1
	.rva .Llj_restore, .Llj_end
	.long 2
	.rva interrupt_handler, interrupt_handler
	.long 3
	.rva exception_handler, exception_handler
