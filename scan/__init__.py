"""The third-party scan: checkov over every stack (dev, staging, prod and the account stacks of bootstrap/),
each converted to the Terraform plan checkov reads (benchmarks/tfplan.py), failing on any failed check that the
checked-in exceptions file (scan/exceptions.yaml) does not list. `python3 run.py scan` runs it (with the
`scan` dependency group, which holds checkov); `.ci/run` runs it on every CI build."""
