# Remote state of int, in that account's state bucket (created once by the bootstrap; see README).
bucket       = "domain-project-tfstate-int-111111111111" # `terraform output s3_bucket_id` of terraform/bootstrap
key          = "domain-project/int/terraform.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
