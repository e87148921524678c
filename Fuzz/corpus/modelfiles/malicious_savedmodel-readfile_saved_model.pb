Ú
"serveÎ

n0Placeholder

n1MatMul

n2BiasAdd


n3Relu

n4Identity

n5SaveV2

n6	RestoreV2

n7MergeV2Checkpoints

n8ShardedFilename

n9
StringJoin

n10StaticRegexFullMatch

n11Const

n12VarHandleOp

n13ReadVariableOp

n14StatefulPartitionedCall(
&

fn
f0ReadFile
f1Identity