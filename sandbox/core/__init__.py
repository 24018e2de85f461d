"""The sandbox's shared machinery: the vendor contract, ledger, faults, DNS records."""
