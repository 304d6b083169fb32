(module
  (type (;0;) (func (param i32 i32 i32 i32 i32 i32 i32)))
  (memory (;0;) 16)
  (export "gemm" (func 0))
  (export "memory" (memory 0))
  (func $gemm (type 0) (param $ind i32) (param $bp i32) (param $out i32) (param $rows i32) (param $cols i32) (param $taps i32) (param $depth i32)
    (local $j i32)
    (local $i i32)
    (local $t i32)
    (local $k i32)
    (local $pb i32)
    (local $pt i32)
    (local $pc i32)
    (local $pi i32)
    (local $pa0 i32)
    (local $pa1 i32)
    (local $pa2 i32)
    (local $pa3 i32)
    (local $pa4 i32)
    (local $pa5 i32)
    (local $s v128)
    (local $b0 v128)
    (local $b1 v128)
    (local $c00 v128)
    (local $c01 v128)
    (local $c10 v128)
    (local $c11 v128)
    (local $c20 v128)
    (local $c21 v128)
    (local $c30 v128)
    (local $c31 v128)
    (local $c40 v128)
    (local $c41 v128)
    (local $c50 v128)
    (local $c51 v128)
    i32.const 0
    local.set $j
    block
      loop
        i32.const 0
        local.set $i
        block
          loop
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c00
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c01
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c10
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c11
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c20
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c21
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c30
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c31
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c40
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c41
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c50
            v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
            local.set $c51
            local.get $bp
            local.get $j
            local.get $taps
            i32.mul
            local.get $depth
            i32.mul
            i32.const 4
            i32.mul
            i32.add
            local.set $pb
            i32.const 0
            local.set $t
            block
              loop
                local.get $ind
                local.get $t
                local.get $rows
                i32.mul
                local.get $i
                i32.add
                i32.const 4
                i32.mul
                i32.add
                local.set $pi
                local.get $pi
                i32.load
                local.set $pa0
                local.get $pi
                i32.load offset=4
                local.set $pa1
                local.get $pi
                i32.load offset=8
                local.set $pa2
                local.get $pi
                i32.load offset=12
                local.set $pa3
                local.get $pi
                i32.load offset=16
                local.set $pa4
                local.get $pi
                i32.load offset=20
                local.set $pa5
                local.get $pb
                local.set $pt
                block
                  local.get $pa0
                  local.get $pa1
                  i32.or
                  local.get $pa2
                  i32.or
                  local.get $pa3
                  i32.or
                  local.get $pa4
                  i32.or
                  local.get $pa5
                  i32.or
                  i32.eqz
                  br_if 0
                  local.get $depth
                  i32.const 2
                  i32.shr_u
                  local.set $k
                  block
                    local.get $k
                    i32.eqz
                    br_if 0
                    loop
                      local.get $pb
                      v128.load
                      local.set $b0
                      local.get $pb
                      v128.load offset=16
                      local.set $b1
                      local.get $pa0
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c00
                      f32x4.add
                      local.set $c00
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c01
                      f32x4.add
                      local.set $c01
                      local.get $pa1
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c10
                      f32x4.add
                      local.set $c10
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c11
                      f32x4.add
                      local.set $c11
                      local.get $pa2
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c20
                      f32x4.add
                      local.set $c20
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c21
                      f32x4.add
                      local.set $c21
                      local.get $pa3
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c30
                      f32x4.add
                      local.set $c30
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c31
                      f32x4.add
                      local.set $c31
                      local.get $pa4
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c40
                      f32x4.add
                      local.set $c40
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c41
                      f32x4.add
                      local.set $c41
                      local.get $pa5
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c50
                      f32x4.add
                      local.set $c50
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c51
                      f32x4.add
                      local.set $c51
                      local.get $pb
                      v128.load offset=32
                      local.set $b0
                      local.get $pb
                      v128.load offset=48
                      local.set $b1
                      local.get $pa0
                      v128.load32_splat offset=4
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c00
                      f32x4.add
                      local.set $c00
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c01
                      f32x4.add
                      local.set $c01
                      local.get $pa1
                      v128.load32_splat offset=4
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c10
                      f32x4.add
                      local.set $c10
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c11
                      f32x4.add
                      local.set $c11
                      local.get $pa2
                      v128.load32_splat offset=4
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c20
                      f32x4.add
                      local.set $c20
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c21
                      f32x4.add
                      local.set $c21
                      local.get $pa3
                      v128.load32_splat offset=4
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c30
                      f32x4.add
                      local.set $c30
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c31
                      f32x4.add
                      local.set $c31
                      local.get $pa4
                      v128.load32_splat offset=4
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c40
                      f32x4.add
                      local.set $c40
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c41
                      f32x4.add
                      local.set $c41
                      local.get $pa5
                      v128.load32_splat offset=4
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c50
                      f32x4.add
                      local.set $c50
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c51
                      f32x4.add
                      local.set $c51
                      local.get $pb
                      v128.load offset=64
                      local.set $b0
                      local.get $pb
                      v128.load offset=80
                      local.set $b1
                      local.get $pa0
                      v128.load32_splat offset=8
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c00
                      f32x4.add
                      local.set $c00
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c01
                      f32x4.add
                      local.set $c01
                      local.get $pa1
                      v128.load32_splat offset=8
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c10
                      f32x4.add
                      local.set $c10
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c11
                      f32x4.add
                      local.set $c11
                      local.get $pa2
                      v128.load32_splat offset=8
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c20
                      f32x4.add
                      local.set $c20
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c21
                      f32x4.add
                      local.set $c21
                      local.get $pa3
                      v128.load32_splat offset=8
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c30
                      f32x4.add
                      local.set $c30
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c31
                      f32x4.add
                      local.set $c31
                      local.get $pa4
                      v128.load32_splat offset=8
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c40
                      f32x4.add
                      local.set $c40
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c41
                      f32x4.add
                      local.set $c41
                      local.get $pa5
                      v128.load32_splat offset=8
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c50
                      f32x4.add
                      local.set $c50
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c51
                      f32x4.add
                      local.set $c51
                      local.get $pb
                      v128.load offset=96
                      local.set $b0
                      local.get $pb
                      v128.load offset=112
                      local.set $b1
                      local.get $pa0
                      v128.load32_splat offset=12
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c00
                      f32x4.add
                      local.set $c00
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c01
                      f32x4.add
                      local.set $c01
                      local.get $pa1
                      v128.load32_splat offset=12
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c10
                      f32x4.add
                      local.set $c10
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c11
                      f32x4.add
                      local.set $c11
                      local.get $pa2
                      v128.load32_splat offset=12
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c20
                      f32x4.add
                      local.set $c20
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c21
                      f32x4.add
                      local.set $c21
                      local.get $pa3
                      v128.load32_splat offset=12
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c30
                      f32x4.add
                      local.set $c30
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c31
                      f32x4.add
                      local.set $c31
                      local.get $pa4
                      v128.load32_splat offset=12
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c40
                      f32x4.add
                      local.set $c40
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c41
                      f32x4.add
                      local.set $c41
                      local.get $pa5
                      v128.load32_splat offset=12
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c50
                      f32x4.add
                      local.set $c50
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c51
                      f32x4.add
                      local.set $c51
                      local.get $pa0
                      i32.const 16
                      i32.add
                      local.set $pa0
                      local.get $pa1
                      i32.const 16
                      i32.add
                      local.set $pa1
                      local.get $pa2
                      i32.const 16
                      i32.add
                      local.set $pa2
                      local.get $pa3
                      i32.const 16
                      i32.add
                      local.set $pa3
                      local.get $pa4
                      i32.const 16
                      i32.add
                      local.set $pa4
                      local.get $pa5
                      i32.const 16
                      i32.add
                      local.set $pa5
                      local.get $pb
                      i32.const 128
                      i32.add
                      local.set $pb
                      local.get $k
                      i32.const 1
                      i32.sub
                      local.set $k
                      local.get $k
                      br_if 0
                    end
                  end
                  local.get $depth
                  i32.const 3
                  i32.and
                  local.set $k
                  block
                    local.get $k
                    i32.eqz
                    br_if 0
                    loop
                      local.get $pb
                      v128.load
                      local.set $b0
                      local.get $pb
                      v128.load offset=16
                      local.set $b1
                      local.get $pa0
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c00
                      f32x4.add
                      local.set $c00
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c01
                      f32x4.add
                      local.set $c01
                      local.get $pa1
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c10
                      f32x4.add
                      local.set $c10
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c11
                      f32x4.add
                      local.set $c11
                      local.get $pa2
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c20
                      f32x4.add
                      local.set $c20
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c21
                      f32x4.add
                      local.set $c21
                      local.get $pa3
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c30
                      f32x4.add
                      local.set $c30
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c31
                      f32x4.add
                      local.set $c31
                      local.get $pa4
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c40
                      f32x4.add
                      local.set $c40
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c41
                      f32x4.add
                      local.set $c41
                      local.get $pa5
                      v128.load32_splat
                      local.set $s
                      local.get $s
                      local.get $b0
                      f32x4.mul
                      local.get $c50
                      f32x4.add
                      local.set $c50
                      local.get $s
                      local.get $b1
                      f32x4.mul
                      local.get $c51
                      f32x4.add
                      local.set $c51
                      local.get $pa0
                      i32.const 4
                      i32.add
                      local.set $pa0
                      local.get $pa1
                      i32.const 4
                      i32.add
                      local.set $pa1
                      local.get $pa2
                      i32.const 4
                      i32.add
                      local.set $pa2
                      local.get $pa3
                      i32.const 4
                      i32.add
                      local.set $pa3
                      local.get $pa4
                      i32.const 4
                      i32.add
                      local.set $pa4
                      local.get $pa5
                      i32.const 4
                      i32.add
                      local.set $pa5
                      local.get $pb
                      i32.const 32
                      i32.add
                      local.set $pb
                      local.get $k
                      i32.const 1
                      i32.sub
                      local.set $k
                      local.get $k
                      br_if 0
                    end
                  end
                end
                local.get $pt
                local.get $depth
                i32.const 32
                i32.mul
                i32.add
                local.set $pb
                local.get $t
                i32.const 1
                i32.add
                local.set $t
                local.get $t
                local.get $taps
                i32.lt_s
                br_if 0
              end
            end
            local.get $out
            local.get $i
            i32.const 4
            i32.mul
            i32.add
            local.set $pi
            local.get $pi
            i32.load
            local.get $j
            i32.const 4
            i32.mul
            i32.add
            local.set $pc
            local.get $pc
            local.get $c00
            v128.store
            local.get $pc
            local.get $c01
            v128.store offset=16
            local.get $pi
            i32.load offset=4
            local.get $j
            i32.const 4
            i32.mul
            i32.add
            local.set $pc
            local.get $pc
            local.get $c10
            v128.store
            local.get $pc
            local.get $c11
            v128.store offset=16
            local.get $pi
            i32.load offset=8
            local.get $j
            i32.const 4
            i32.mul
            i32.add
            local.set $pc
            local.get $pc
            local.get $c20
            v128.store
            local.get $pc
            local.get $c21
            v128.store offset=16
            local.get $pi
            i32.load offset=12
            local.get $j
            i32.const 4
            i32.mul
            i32.add
            local.set $pc
            local.get $pc
            local.get $c30
            v128.store
            local.get $pc
            local.get $c31
            v128.store offset=16
            local.get $pi
            i32.load offset=16
            local.get $j
            i32.const 4
            i32.mul
            i32.add
            local.set $pc
            local.get $pc
            local.get $c40
            v128.store
            local.get $pc
            local.get $c41
            v128.store offset=16
            local.get $pi
            i32.load offset=20
            local.get $j
            i32.const 4
            i32.mul
            i32.add
            local.set $pc
            local.get $pc
            local.get $c50
            v128.store
            local.get $pc
            local.get $c51
            v128.store offset=16
            local.get $i
            i32.const 6
            i32.add
            local.set $i
            local.get $i
            local.get $rows
            i32.lt_s
            br_if 0
          end
        end
        local.get $j
        i32.const 8
        i32.add
        local.set $j
        local.get $j
        local.get $cols
        i32.lt_s
        br_if 0
      end
    end
  )
)
