# The attention modules of the reproduced study, each its own bundle.
org.attnfer.attention-simam
org.attnfer.attention-ca
