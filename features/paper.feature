# The modules of the reproduced study and its comparisons, each its own bundle.
org.attnfer.attention-simam
org.attnfer.attention-ca
org.attnfer.attention-se
org.attnfer.attention-eca
org.attnfer.attention-coord
org.attnfer.attention-bam
org.attnfer.attention-acmix
org.attnfer.sampling-sc
