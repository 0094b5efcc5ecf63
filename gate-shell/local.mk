# gate-shell
