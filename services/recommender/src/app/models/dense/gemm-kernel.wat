;; The one arithmetic kernel of the dense EASE inverse (see sweep-inverse.ts), in WebAssembly SIMD:
;;
;;   C[r, j] = (accumulate ? C[r, j] : 0) + alpha · dot(A[r, 0:k], B[j, 0:k])    r < m, j < ncols
;;
;; A and B are row-major panels read along their rows (the k loop is innermost over contiguous
;; memory); C is written with leading dimension ldc. Register block: 2 rows of A × 4 rows of B, eight
;; f32x4 accumulators, so each step loads 6 vectors for 8 multiply-adds and every accumulator chain has
;; enough independent neighbours to hide the add latency (measured here: 2×4 ≈ 39 GFLOP/s per core,
;; 3×4 ≈ 28, 4×4 ≈ 27, 1×8 ≈ 28 — wider blocks spill: V8 gives wasm 16 vector registers). The four
;; sums of a row are reduced with a shuffle transpose and stored as one vector.
;; Pointers are byte offsets, leading dimensions in floats; m % 2 = 0, ncols % 4 = 0, k % 4 = 0.
;; Rebuild the bytes with `npm run build:kernel -w @marquee/recommender` after editing.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func $gemm_nt (export "gemm_nt")
    (param $c i32) (param $ldc i32) (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
    (param $m i32) (param $ncols i32) (param $k i32) (param $alpha f32) (param $acc i32)
    (local $jc i32) (local $r i32) (local $kk i32) (local $kb i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $w0 v128) (local $w1 v128) (local $p v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $s0 v128) (local $s1 v128) (local $pc i32) (local $va v128)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $lda (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $va (f32x4.splat (local.get $alpha)))
    (local.set $jc (i32.const 0))
    (block $jdone (loop $jloop
      (br_if $jdone (i32.ge_u (local.get $jc) (local.get $ncols)))
      (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $jc) (local.get $ldb))))
      (local.set $pb1 (i32.add (local.get $pb0) (local.get $ldb)))
      (local.set $pb2 (i32.add (local.get $pb1) (local.get $ldb)))
      (local.set $pb3 (i32.add (local.get $pb2) (local.get $ldb)))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $lda))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $lda)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c02 (v128.const i32x4 0 0 0 0)) (local.set $c03 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c12 (v128.const i32x4 0 0 0 0)) (local.set $c13 (v128.const i32x4 0 0 0 0))
        (local.set $kk (i32.const 0))
        (block $kdone (loop $kloop
          (br_if $kdone (i32.ge_u (local.get $kk) (local.get $kb)))
          (local.set $w0 (v128.load (i32.add (local.get $pa0) (local.get $kk))))
          (local.set $w1 (v128.load (i32.add (local.get $pa1) (local.get $kk))))
          (local.set $p (v128.load (i32.add (local.get $pb0) (local.get $kk))))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $w0) (local.get $p))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $w1) (local.get $p))))
          (local.set $p (v128.load (i32.add (local.get $pb1) (local.get $kk))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $w0) (local.get $p))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $w1) (local.get $p))))
          (local.set $p (v128.load (i32.add (local.get $pb2) (local.get $kk))))
          (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $w0) (local.get $p))))
          (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $w1) (local.get $p))))
          (local.set $p (v128.load (i32.add (local.get $pb3) (local.get $kk))))
          (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $w0) (local.get $p))))
          (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $w1) (local.get $p))))
          (local.set $kk (i32.add (local.get $kk) (i32.const 16)))
          (br $kloop)))
        ;; row 0: [Σc00, Σc01, Σc02, Σc03]
        (local.set $s0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c00) (local.get $c01))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c00) (local.get $c01))))
        (local.set $s1 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c02) (local.get $c03))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c02) (local.get $c03))))
        (local.set $s0 (f32x4.mul (local.get $va) (f32x4.add
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $s0) (local.get $s1))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $s0) (local.get $s1)))))
        (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $r) (local.get $ldc)) (i32.shl (local.get $jc) (i32.const 2)))))
        (if (local.get $acc) (then (local.set $s0 (f32x4.add (local.get $s0) (v128.load (local.get $pc))))))
        (v128.store (local.get $pc) (local.get $s0))
        ;; row 1
        (local.set $s0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c10) (local.get $c11))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c10) (local.get $c11))))
        (local.set $s1 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c12) (local.get $c13))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c12) (local.get $c13))))
        (local.set $s0 (f32x4.mul (local.get $va) (f32x4.add
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $s0) (local.get $s1))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $s0) (local.get $s1)))))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (if (local.get $acc) (then (local.set $s0 (f32x4.add (local.get $s0) (v128.load (local.get $pc))))))
        (v128.store (local.get $pc) (local.get $s0))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $rloop)))
      (local.set $jc (i32.add (local.get $jc) (i32.const 4)))
      (br $jloop)))
  )
)
