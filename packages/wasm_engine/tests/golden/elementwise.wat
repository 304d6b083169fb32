(module
  (type (;0;) (func (param i32 i32 i32 f32)))
  (type (;1;) (func (param i32 i32 i32 i32 f32)))
  (type (;2;) (func (param i32 i32 i32 i32)))
  (import "env" "memory" (memory (;0;) 0))
  (export "leakyRelu" (func 0))
  (export "leakyReluGrad" (func 1))
  (export "columnSum" (func 2))
  (func $leakyRelu (type 0) (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $o i32)
    (local $vecBytes i32)
    (local $allBytes i32)
    (local $a v128)
    (local $zero v128)
    (local $xv v128)
    (local $vv v128)
    (local $xs f32)
    (local $vs f32)
    (local $zs f32)
    local.get $n
    i32.const 4
    i32.mul
    local.set $allBytes
    local.get $allBytes
    local.get $allBytes
    i32.const 15
    i32.and
    i32.sub
    local.set $vecBytes
    local.get $alpha
    f32x4.splat
    local.set $a
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $zero
    i32.const 0
    local.set $o
    block
      local.get $o
      local.get $vecBytes
      i32.lt_u
      i32.eqz
      br_if 0
      loop
        local.get $x
        local.get $o
        i32.add
        v128.load
        local.set $xv
        local.get $out
        local.get $o
        i32.add
        local.get $xv
        local.get $xv
        local.get $a
        f32x4.mul
        local.get $xv
        local.get $zero
        f32x4.gt
        v128.bitselect
        v128.store
        local.get $o
        i32.const 16
        i32.add
        local.set $o
        local.get $o
        local.get $vecBytes
        i32.lt_u
        br_if 0
      end
    end
    block
      local.get $o
      local.get $allBytes
      i32.lt_u
      i32.eqz
      br_if 0
      loop
        local.get $x
        local.get $o
        i32.add
        f32.load
        local.set $xs
        local.get $x
        local.get $o
        i32.add
        f32.load
        local.set $vs
        local.get $out
        local.get $o
        i32.add
        local.get $vs
        local.get $vs
        local.get $alpha
        f32.mul
        local.get $xs
        local.get $zs
        f32.gt
        select
        f32.store
        local.get $o
        i32.const 4
        i32.add
        local.set $o
        local.get $o
        local.get $allBytes
        i32.lt_u
        br_if 0
      end
    end
  )
  (func $leakyReluGrad (type 1) (param $x i32) (param $v i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $o i32)
    (local $vecBytes i32)
    (local $allBytes i32)
    (local $a v128)
    (local $zero v128)
    (local $xv v128)
    (local $vv v128)
    (local $xs f32)
    (local $vs f32)
    (local $zs f32)
    local.get $n
    i32.const 4
    i32.mul
    local.set $allBytes
    local.get $allBytes
    local.get $allBytes
    i32.const 15
    i32.and
    i32.sub
    local.set $vecBytes
    local.get $alpha
    f32x4.splat
    local.set $a
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $zero
    i32.const 0
    local.set $o
    block
      local.get $o
      local.get $vecBytes
      i32.lt_u
      i32.eqz
      br_if 0
      loop
        local.get $x
        local.get $o
        i32.add
        v128.load
        local.set $xv
        local.get $v
        local.get $o
        i32.add
        v128.load
        local.set $vv
        local.get $out
        local.get $o
        i32.add
        local.get $vv
        local.get $vv
        local.get $a
        f32x4.mul
        local.get $xv
        local.get $zero
        f32x4.gt
        v128.bitselect
        v128.store
        local.get $o
        i32.const 16
        i32.add
        local.set $o
        local.get $o
        local.get $vecBytes
        i32.lt_u
        br_if 0
      end
    end
    block
      local.get $o
      local.get $allBytes
      i32.lt_u
      i32.eqz
      br_if 0
      loop
        local.get $x
        local.get $o
        i32.add
        f32.load
        local.set $xs
        local.get $v
        local.get $o
        i32.add
        f32.load
        local.set $vs
        local.get $out
        local.get $o
        i32.add
        local.get $vs
        local.get $vs
        local.get $alpha
        f32.mul
        local.get $xs
        local.get $zs
        f32.gt
        select
        f32.store
        local.get $o
        i32.const 4
        i32.add
        local.set $o
        local.get $o
        local.get $allBytes
        i32.lt_u
        br_if 0
      end
    end
  )
  (func $columnSum (type 2) (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $o i32)
    (local $r i32)
    (local $rowBytes i32)
    (local $row i32)
    local.get $cols
    i32.const 4
    i32.mul
    local.set $rowBytes
    i32.const 0
    local.set $o
    block
      local.get $o
      local.get $rowBytes
      i32.lt_u
      i32.eqz
      br_if 0
      loop
        local.get $out
        local.get $o
        i32.add
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        v128.store
        local.get $o
        i32.const 16
        i32.add
        local.set $o
        local.get $o
        local.get $rowBytes
        i32.lt_u
        br_if 0
      end
    end
    local.get $x
    local.set $row
    i32.const 0
    local.set $r
    block
      local.get $r
      local.get $rows
      i32.lt_u
      i32.eqz
      br_if 0
      loop
        i32.const 0
        local.set $o
        block
          local.get $o
          local.get $rowBytes
          i32.lt_u
          i32.eqz
          br_if 0
          loop
            local.get $out
            local.get $o
            i32.add
            local.get $out
            local.get $o
            i32.add
            v128.load
            local.get $row
            local.get $o
            i32.add
            v128.load
            f32x4.add
            v128.store
            local.get $o
            i32.const 16
            i32.add
            local.set $o
            local.get $o
            local.get $rowBytes
            i32.lt_u
            br_if 0
          end
        end
        local.get $row
        local.get $rowBytes
        i32.add
        local.set $row
        local.get $r
        i32.const 1
        i32.add
        local.set $r
        local.get $r
        local.get $rows
        i32.lt_u
        br_if 0
      end
    end
  )
)
