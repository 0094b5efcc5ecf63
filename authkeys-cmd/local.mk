# authkeys-cmd
