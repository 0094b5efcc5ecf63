# sftp-relay
