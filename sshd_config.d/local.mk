# sshd_config.d
