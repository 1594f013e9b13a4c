# The framework: contracts, building blocks, backbone, composer, data, training, evaluation and the command line.
org.osgi.util.function
org.osgi.util.promise
org.osgi.service.component
org.apache.felix.scr
org.attnfer.api
org.attnfer.nn
org.attnfer.backbone-resnet
org.attnfer.composer
org.attnfer.data
org.attnfer.data-synthetic
org.attnfer.eval
org.attnfer.train
org.attnfer.experiment
org.attnfer.report-charts
org.attnfer.face-detect
org.attnfer.cli
