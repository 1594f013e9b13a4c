#!/bin/sh
# A real single-node Slurm in a folder of its own, for the cluster tests (run as root; no systemd).
#   slurm-single-node.sh start DIR   writes DIR/slurm.conf, starts munged (if needed), slurmctld and
#                                    slurmd, waits until the node is idle; prints SLURM_CONF=...
#   slurm-single-node.sh stop DIR    stops the daemons it started, by their pid files
set -e
cmd=$1
dir=$2
[ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
conf="$dir/slurm.conf"
case "$cmd" in
start)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cpus=$(nproc)
  mem=$(free -m | awk '/^Mem:/ { printf "%d", $2 * 0.7 }')
  cat > "$conf" <<EOF
ClusterName=attnfer-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=batch_sched_delay=0
# a requeued job waits out its old credential before it starts again: 10 s here instead of 120
AuthInfo=cred_expire=10
SchedulerType=sched/backfill
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  if ! pgrep -x munged >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
  fi
  SLURM_CONF="$conf" slurmctld -f "$conf"
  SLURM_CONF="$conf" slurmd -f "$conf"
  i=0
  until [ "$(SLURM_CONF="$conf" sinfo -h -o %t 2>/dev/null | head -n 1)" = idle ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
      echo "slurm did not become idle: $(SLURM_CONF="$conf" sinfo -h 2>&1 | head -n 3)" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "SLURM_CONF=$conf"
  ;;
stop)
  # the daemons save their state as they exit: wait for them, so the folder can be removed after
  for daemon in slurmd slurmctld; do
    if [ -f "$dir/$daemon.pid" ]; then
      pid=$(cat "$dir/$daemon.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  done
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
