# Remote state of dev, in that account's state bucket (created once by the bootstrap; see README).
bucket       = "domain-project-tfstate-dev-111111111111" # `terraform output s3_bucket_id` of terraform/bootstrap
key          = "domain-project/dev/terraform.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
