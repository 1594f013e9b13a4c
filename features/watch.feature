# Follows plugins/ while the framework runs (Felix FileInstall): for `fer watch`.
org.apache.felix.fileinstall
